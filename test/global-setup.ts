// Runs once before jest: brings up the real Kafka broker and PostgreSQL server (idempotent, quick
// when already up) and exports their addresses to every test worker. Tests that need them read
// SWITCHBOARD_TEST_KAFKA_BROKERS / SWITCHBOARD_TEST_DATABASE_URL and fail loudly when unset;
// nothing is silently skipped.
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

export default function globalSetup(): void {
  // For a quick unit-test loop only: tests that need Kafka or PostgreSQL then fail loudly.
  if (process.env.SWITCHBOARD_NO_BACKING_SERVICES === '1' && !process.env.CI) return;
  const root = path.resolve(__dirname, '..');
  const out = execFileSync(path.join(root, 'deploy/local/up.sh'), {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 15 * 60_000,
  });
  const vars = Object.fromEntries(
    out
      .split('\n')
      .map((line) => /^([A-Z_]+)=(.*)$/.exec(line.trim()))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1]!, m[2]!]),
  );
  // Go-module tools the tests use as an SRE would: grpcurl (reflection), helm (charts/switchboard);
  // and openssl, for the TLS certificates of the push HTTP/2 client's tests.
  for (const tool of ['grpcurl', 'helm', 'openssl']) {
    execFileSync(path.join(root, 'deploy/local/tools.sh'), [tool], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'], timeout: 10 * 60_000 });
  }
  const brokers = vars.KAFKA_BROKERS;
  const databaseUrl = vars.DATABASE_URL;
  if (!brokers || !databaseUrl) {
    throw new Error(`deploy/local/up.sh did not report KAFKA_BROKERS and DATABASE_URL:\n${out}`);
  }
  process.env.SWITCHBOARD_TEST_KAFKA_BROKERS = brokers;
  process.env.SWITCHBOARD_TEST_DATABASE_URL = databaseUrl;
  process.stdout.write(`\n[switchboard] real Kafka at ${brokers}, real PostgreSQL at ${databaseUrl}\n`);
}
