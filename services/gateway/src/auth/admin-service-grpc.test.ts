// The product-team RPCs, through a real gateway start (embedded: PGlite with the gateway's
// migrations) and a real gRPC client: minted tokens authenticate, revocation and grants take
// effect, and bad input is INVALID_ARGUMENT naming the field.
import { gatewayV1, timestampMs } from '@switchboard/proto';
import { closeClient, createClient, InvalidArgumentError } from '@switchboard/runtime';
import { GatewayIntent } from '../protocol';
import { startEmbeddedGateway } from '../testing/embedded-gateway';
import type { RunningGateway } from '../start';

const USER = '175928847299117063';

describe('GatewayService admin RPCs', () => {
  let gateway: RunningGateway;
  let client: ReturnType<typeof createClient<typeof gatewayV1.GatewayService>>;

  beforeAll(async () => {
    gateway = await startEmbeddedGateway();
    client = createClient(gatewayV1.GatewayService, `127.0.0.1:${gateway.grpcPort}`);
  });
  afterAll(async () => {
    closeClient(client);
    await gateway?.context.lifecycle.shutdown('test done');
  });

  it('still answers Describe, and is ready once its database is', async () => {
    expect((await client.describe({})).instance?.service).toBe('gateway');
    expect((await fetch(`http://127.0.0.1:${gateway.ops.port}/readyz`)).status).toBe(200);
  });

  it('mints a token the authenticator accepts for that user', async () => {
    const before = Date.now();
    const { token, issuedAt } = await client.mintToken({ userId: USER });
    expect(timestampMs(issuedAt!)).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    await expect(gateway.access.authenticator.authenticate(token, GatewayIntent.GUILDS)).resolves.toMatchObject({ userId: BigInt(USER) });
  });

  it('revokes every token issued so far; a token minted afterwards works at once', async () => {
    const { token: old } = await client.mintToken({ userId: USER });
    const { revokedBefore } = await client.revokeTokens({ userId: USER });
    expect(timestampMs(revokedBefore!)).toBeGreaterThan(Date.now() - 1000);
    await expect(gateway.access.authenticator.authenticate(old, 0)).rejects.toMatchObject({ closeCode: 4004, reason: 'revoked' });
    const { token: fresh } = await client.mintToken({ userId: USER });
    await expect(gateway.access.authenticator.authenticate(fresh, 0)).resolves.toMatchObject({ userId: BigInt(USER) });
  });

  it('sets the privileged grant (0 withdraws it)', async () => {
    const { token } = await client.mintToken({ userId: '42' });
    const wanted = GatewayIntent.GUILD_MEMBERS | GatewayIntent.MESSAGE_CONTENT;
    await expect(gateway.access.authenticator.authenticate(token, wanted)).rejects.toMatchObject({ closeCode: 4014 });
    expect(await client.grantPrivilegedIntents({ userId: '42', intents: wanted })).toMatchObject({ intents: wanted });
    await expect(gateway.access.authenticator.authenticate(token, wanted)).resolves.toMatchObject({ grantedIntents: wanted });
    await client.grantPrivilegedIntents({ userId: '42', intents: 0 });
    await expect(gateway.access.authenticator.authenticate(token, wanted)).rejects.toMatchObject({ closeCode: 4014 });
  });

  it.each([
    ['mintToken', { userId: 'abc' }, 'user_id'],
    ['mintToken', { userId: '' }, 'user_id'],
    ['revokeTokens', { userId: '-5' }, 'user_id'],
    ['revokeTokens', { userId: '18446744073709551615' }, 'user_id'],
    ['grantPrivilegedIntents', { userId: 'x', intents: 2 }, 'user_id'],
    ['grantPrivilegedIntents', { userId: '42', intents: 1 << 17 }, 'intents'],
    ['grantPrivilegedIntents', { userId: '42', intents: GatewayIntent.GUILDS }, 'intents'],
  ] as const)('%s(%j) is INVALID_ARGUMENT naming %s', async (method, request, field) => {
    const call = (client[method] as (r: object) => Promise<unknown>)(request);
    const error = await call.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).field).toBe(field);
  });

  it('counts token checks by outcome on /metrics', async () => {
    await gateway.access.authenticator.authenticate('junk', 0).catch(() => undefined);
    const metrics = await (await fetch(`http://127.0.0.1:${gateway.ops.port}/metrics`)).text();
    expect(metrics).toMatch(/gateway_token_checks_total\{[^}]*outcome="ok"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/gateway_token_checks_total\{[^}]*outcome="malformed"[^}]*\} [1-9]/);
  });
});
