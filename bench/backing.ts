// The backing services a benchmark runs against (Kafka and PostgreSQL, as `make services-up` starts
// them), shared by the presence and push benchmarks.
import * as net from 'node:net';
import { openDatabase } from '@switchboard/runtime';

/** Where the backing services are: the usual variables, else what `make services-up` starts. */
export const backing = {
  kafkaBrokers: (process.env.KAFKA_BROKERS ?? process.env.SWITCHBOARD_TEST_KAFKA_BROKERS ?? '127.0.0.1:19092').split(','),
  databaseUrl: process.env.DATABASE_URL ?? process.env.SWITCHBOARD_TEST_DATABASE_URL ?? 'postgres://switchboard:switchboard@127.0.0.1:15432/switchboard',
};

function reachable(hostPort: string, timeoutMs: number): Promise<boolean> {
  const cut = hostPort.lastIndexOf(':');
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostPort.slice(0, cut), port: Number(hostPort.slice(cut + 1)) });
    const done = (ok: boolean) => { socket.destroy(); resolve(ok); };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Fails with a clear message (not a kafkajs retry storm) when the backing services are down. */
export async function checkBackingServices(): Promise<void> {
  const hint = 'start them with `make services-up` (or set KAFKA_BROKERS / DATABASE_URL)';
  if (!(await reachable(backing.kafkaBrokers[0]!, 3000))) throw new Error(`cannot reach Kafka at ${backing.kafkaBrokers[0]}: ${hint}`);
  const host = new URL(backing.databaseUrl).host;
  const db = await openDatabase({ url: backing.databaseUrl, poolSize: 1 }).catch((error: Error) => {
    throw new Error(`cannot reach PostgreSQL at ${host} (${error.message}): ${hint}`);
  });
  try {
    await db.query('SELECT 1');
  } catch (error) {
    throw new Error(`cannot query PostgreSQL at ${host} (${(error as Error).message}): ${hint}`);
  } finally {
    await db.close();
  }
}
