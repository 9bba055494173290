// Setup of a push benchmark run, none of it measured: the backing services checked, a fresh
// PostgreSQL schema migrated with the push service's own migrations and bulk-loaded with devices
// (one per user, a share of them APNs), and the push requests topic created and filled before any
// consumer exists, so the push process starts with the whole backlog in front of it.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { create, toBinary } from '@bufbuild/protobuf';
import { pushV1 } from '@switchboard/proto';
import { KafkaEventLog, loadMigrations, migrate, openDatabase, silentEventLogLogger } from '@switchboard/runtime';
import type { Database } from '@switchboard/runtime';
import { backing } from '../backing';

export { backing, checkBackingServices } from '../backing';

export const FCM_APP = 'android';
export const APNS_APP = 'ios';
export const APNS_BUNDLE = 'com.example.switchboard';
const FIRST_USER = 175928847299117063n;

export function copyMigrations(repo: string): string {
  const target = path.resolve(__dirname, '../../services/push/migrations');
  fs.cpSync(path.join(repo, 'services/push/migrations'), target, { recursive: true });
  return target;
}

export const userId = (index: number): bigint => FIRST_USER + BigInt(index);

export interface BenchDatabase {
  /** DATABASE_URL for the push process: the fresh schema as its search_path. */
  url: string;
  database: Database;
  drop(): Promise<void>;
}

/**
 * A fresh schema migrated as the push service would (same bookkeeping table, so the service finds
 * its migrations applied) and `users` devices, one each: every `apnsEvery`-th an APNs token, the
 * rest FCM. Token shapes as the providers issue them (FCM ~160 characters, APNs 64 hex).
 */
export async function openBenchDatabase(run: string, migrationsDir: string, users: number, apnsEvery: number): Promise<BenchDatabase> {
  const schema = `bench_push_${run}`;
  const admin = await openDatabase({ url: backing.databaseUrl, poolSize: 1 });
  await admin.exec(`CREATE SCHEMA ${schema}`);
  const url = new URL(backing.databaseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const database = await openDatabase({ url: url.toString(), poolSize: 2 });
  await migrate(database, await loadMigrations(migrationsDir), { table: 'push_schema_migrations' });
  const chunk = 10_000;
  for (let from = 0; from < users; from += chunk) {
    const [platforms, apps, tokens, ids]: [string[], string[], string[], string[]] = [[], [], [], []];
    for (let i = from; i < Math.min(users, from + chunk); i++) {
      const apns = apnsEvery > 0 && i % apnsEvery === 0;
      platforms.push(apns ? 'apns' : 'fcm');
      apps.push(apns ? APNS_APP : FCM_APP);
      tokens.push(apns ? randomBytes(32).toString('hex') : `${randomBytes(8).toString('base64url')}:APA91b${randomBytes(96).toString('base64url')}`);
      ids.push(userId(i).toString());
    }
    await database.query(
      `INSERT INTO devices (platform, app_id, token, user_id, locale)
       SELECT p, a, t, u, 'en-US' FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS d(p, a, t, u)`,
      [platforms, apps, tokens, ids],
    );
  }
  await database.exec('ANALYZE devices');
  return {
    url: url.toString(),
    database,
    drop: async () => {
      await database.close();
      await admin.exec(`DROP SCHEMA ${schema} CASCADE`);
      await admin.close();
    },
  };
}

/** Request `index` of a run: a message in a channel of its own to user index % users (so nothing collapses). */
export function requestOf(index: number, users: number): { key: string; value: Uint8Array } {
  const user = userId(index % users).toString();
  const messageId = (1_300_000_000_000_000_000n + BigInt(index)).toString();
  const channelId = (1_200_000_000_000_000_000n + BigInt(index)).toString();
  const request = create(pushV1.PushRequestSchema, {
    requestId: `${messageId}:${user}`,
    userId: user,
    collapseKey: channelId,
    title: 'Benchmark User',
    body: `message ${index}: the quick brown fox jumps over the lazy dog, as it does in every benchmark`,
    guildId: '41771983423143937',
    channelId,
    messageId,
    authorId: '175928847299117000',
  });
  return { key: user, value: toBinary(pushV1.PushRequestSchema, request) };
}

export interface Backlog {
  topic: string;
  log: KafkaEventLog;
  produceSeconds: number;
  bytes: number;
}

/** The requests topic (with its dead-letter topic) holding `requests` records, produced as fast as the broker acknowledges. */
export async function produceBacklog(run: string, requests: number, users: number, partitions: number): Promise<Backlog> {
  const topic = `bench.push.requests.${run}`;
  const log = new KafkaEventLog({ brokers: backing.kafkaBrokers, clientId: `bench-push-${run}`, logger: silentEventLogLogger });
  await log.ensureTopics([{ name: topic, partitions, deadLetter: true }]);
  const started = performance.now();
  const chunk = 5_000;
  const concurrent = 4;
  let next = 0;
  let bytes = 0;
  const producer = async () => {
    while (next < requests) {
      const from = next;
      next = Math.min(requests, next + chunk);
      const records = [];
      for (let i = from; i < next; i++) {
        const record = requestOf(i, users);
        bytes += record.value.byteLength;
        records.push(record);
      }
      await log.produce(topic, records);
    }
  };
  await Promise.all(Array.from({ length: concurrent }, producer));
  return { topic, log, produceSeconds: (performance.now() - started) / 1000, bytes };
}

export const runId = (): string => `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
