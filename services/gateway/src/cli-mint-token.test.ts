// `cli.js mint-token --user <id>` prints a token the gateway of the same configuration accepts,
// warns on the embedded dev key, and exits 2 on bad usage or configuration.
import { MemoryAuthStore } from './auth/auth-store';
import { Authenticator } from './auth/authenticator';
import { TokenSigner } from './auth/token';
import { EMBEDDED_DEV_TOKEN_SECRET } from './auth/token-secret';
import { runCli } from './cli';

function run(args: string[], env: Record<string, string> = {}): { code: number; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const code = runCli(args, env, { out: (l) => out.push(l), err: (l) => err.push(l), now: () => 1_700_000_000_500 });
  return { code, out, err };
}

describe('gateway CLI mint-token', () => {
  it('prints a token signed with GATEWAY_TOKEN_SECRET that authenticates the user', async () => {
    const secret = 'c'.repeat(32);
    const { code, out, err } = run(['mint-token', '--user', '175928847299117063'], { GATEWAY_TOKEN_SECRET: secret });
    expect({ code, err }).toEqual({ code: 0, err: [] });
    expect(out).toHaveLength(1);
    const user = await new Authenticator(new TokenSigner(secret), new MemoryAuthStore()).authenticate(out[0]!, 0);
    expect(user).toMatchObject({ userId: 175928847299117063n, issuedAt: 1_700_000_000 });
  });

  it('accepts --user=<id> and warns loudly when signing with the embedded dev key', () => {
    const { code, out, err } = run(['mint-token', '--user=42']);
    expect(code).toBe(0);
    expect(new TokenSigner(EMBEDDED_DEV_TOKEN_SECRET).verify(out[0]!).userId).toBe(42n);
    expect(err.join('\n')).toMatch(/ANYONE can forge them/);
  });

  it('exits 2 with usage for an unknown command or a missing --user', () => {
    expect(run([]).code).toBe(2);
    expect(run(['mint-token']).err).toEqual(['usage: switchboard-gateway mint-token --user <snowflake>']);
  });

  it('exits 2 naming the problem for a bad id or missing cluster secret', () => {
    expect(run(['mint-token', '--user', 'bob'])).toMatchObject({ code: 2, err: [expect.stringMatching(/^--user: must be a snowflake/)] });
    expect(run(['mint-token', '--user', '1'], { SWITCHBOARD_MODE: 'cluster' })).toMatchObject({
      code: 2,
      err: ['invalid configuration: GATEWAY_TOKEN_SECRET is required when SWITCHBOARD_MODE=cluster'],
    });
  });
});
