// switchboard-gateway operator CLI. `mint-token --user <snowflake>` prints a token signed with the
// gateway's secret (GATEWAY_TOKEN_SECRET, or the embedded dev key when unset in embedded mode), so
// the token works against any gateway instance of the same configuration.
//   node services/gateway/dist/cli.js mint-token --user 123   (or: npm run mint-token -- --user 123)
// It does not read the database: a token minted in the same second as a revocation of that user
// is refused; mint through the gRPC MintToken to avoid that edge.
import { commonSpec, ConfigError, loadConfig } from '@switchboard/runtime';
import { parseUserIdField } from './auth/admin-service';
import { TokenSigner } from './auth/token';
import { DEV_SECRET_WARNING, resolveTokenSecret } from './auth/token-secret';
import { gatewaySpec } from './config';

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  now?: () => number;
}

const USAGE = 'usage: switchboard-gateway mint-token --user <snowflake>';

function optionValue(args: readonly string[], name: string): string | undefined {
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i]!;
    if (arg === name) return args[i + 1];
    if (arg.startsWith(`${name}=`)) return arg.slice(name.length + 1);
  }
  return undefined;
}

/** Runs one command; returns the exit code (0 ok, 2 usage or configuration error). */
export function runCli(args: readonly string[], env: Readonly<Record<string, string | undefined>>, io: CliIo): number {
  if (args[0] !== 'mint-token') {
    io.err(USAGE);
    return 2;
  }
  const user = optionValue(args.slice(1), '--user');
  if (user === undefined) {
    io.err(USAGE);
    return 2;
  }
  try {
    const userId = parseUserIdField(user, '--user');
    const { mode, tokenSecret } = loadConfig({ mode: commonSpec.mode, tokenSecret: gatewaySpec.tokenSecret }, env);
    const secret = resolveTokenSecret(mode, tokenSecret);
    if (secret.tokenSecretSource === 'embedded-dev-default') io.err(`warning: ${DEV_SECRET_WARNING}`);
    const issuedAt = Math.floor((io.now ?? Date.now)() / 1000);
    io.out(new TokenSigner(secret.tokenSecret).sign({ userId, issuedAt }));
    return 0;
  } catch (error) {
    if (error instanceof ConfigError) io.err(`invalid configuration: ${error.message}`);
    else io.err(error instanceof Error ? error.message : String(error));
    return 2;
  }
}

if (require.main === module) {
  process.exitCode = runCli(process.argv.slice(2), process.env, {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  });
}
