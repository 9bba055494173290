// Test support (not a test): the product API served over a real gRPC connection, on a migrated
// database, publishing into a RecordingPublisher the tests read and can make fail.
import { guildV1 } from '@switchboard/proto';
import {
  closeClient,
  createClient,
  createGrpcServer,
  implementPartially,
  listen,
  loadMigrations,
  migrate,
  openDatabase,
  SnowflakeGenerator,
} from '@switchboard/runtime';
import type { Database, ProducedRecord, ServiceClient } from '@switchboard/runtime';
import { GUILD_EVENTS_TOPIC, scopeKey } from '../events';
import type { GuildEvent, GuildEventPublisher } from '../events';
import type { PresenceReader } from '../presence-reader';
import { GUILD_MIGRATIONS_DIR } from '../start';
import { createGuildApi } from './index';

export class RecordingPublisher implements GuildEventPublisher {
  readonly events: GuildEvent[] = [];
  /** When set, publish rejects with it (an event log that does not acknowledge). */
  failure: Error | undefined;

  async publish(events: readonly GuildEvent[]): Promise<ProducedRecord[]> {
    if (this.failure) throw this.failure;
    const first = this.events.length;
    this.events.push(...events);
    return events.map((_, i) => ({ topic: GUILD_EVENTS_TOPIC, partition: 0, offset: String(first + i) }));
  }

  /** The events published since the last take, decoded for assertions. */
  take(): DecodedEvent[] {
    return this.events.splice(0).map(decode);
  }
}

export interface DecodedEvent {
  eventId: string;
  type: string;
  scope: string;
  channelId: string;
  payload: Record<string, any>;
  contentUserIds: string[];
  pushUserIds: string[];
  requiredIntent: number;
}

export function decode(event: GuildEvent): DecodedEvent {
  return {
    eventId: event.eventId,
    type: event.type,
    scope: scopeKey(event.scope!),
    channelId: event.channelId,
    payload: JSON.parse(event.payloadJson),
    contentUserIds: event.contentUserIds,
    pushUserIds: event.pushUserIds,
    requiredIntent: event.requiredIntent,
  };
}

export type GuildClient = ServiceClient<typeof guildV1.GuildService>;

export interface ApiHarness {
  client: GuildClient;
  database: Database;
  publisher: RecordingPublisher;
  stop(): Promise<void>;
}

export async function migratedPglite(): Promise<Database> {
  const database = await openDatabase({ url: 'pglite://memory' });
  await migrate(database, await loadMigrations(GUILD_MIGRATIONS_DIR), { table: 'guild_schema_migrations' });
  return database;
}

export interface StartApiOptions {
  /** Default: a fresh migrated PGlite, closed by stop(). */
  database?: Database;
  /** Default: the harness' RecordingPublisher. */
  publisher?: GuildEventPublisher;
  workerId?: number;
  /** Default: none (NO_PRESENCES). */
  presences?: PresenceReader;
}

/** Serves the API on 127.0.0.1:0. */
export async function startApi(options: StartApiOptions = {}): Promise<ApiHarness> {
  const db = options.database ?? (await migratedPglite());
  const recording = new RecordingPublisher();
  const publisher = options.publisher ?? recording;
  const ids = new SnowflakeGenerator({ workerId: options.workerId ?? 1, processId: 1 });
  const silent = { error: () => undefined, warn: () => undefined };
  const api = createGuildApi({ database: db, publisher, ids, ...(options.presences ? { presences: options.presences } : {}) });
  const server = createGrpcServer({ services: [implementPartially(guildV1.GuildService, api)], logger: silent });
  const port = await listen(server, '127.0.0.1', 0);
  const client = createClient(guildV1.GuildService, `127.0.0.1:${port}`);
  return {
    client,
    database: db,
    publisher: recording,
    stop: async () => {
      closeClient(client);
      server.forceShutdown();
      if (!options.database) await db.close();
    },
  };
}

let nextUser = 1000n;

/** Upserts users named user<N> and returns their ids. */
export async function createUsers(client: GuildClient, count: number, prefix = 'user'): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = (nextUser++).toString();
    await client.upsertUser({ user: { id, username: `${prefix}${id}` } });
    ids.push(id);
  }
  return ids;
}

/** A guild owned by `ownerId` with `memberIds` joined; returns its id and its general channel. */
export async function createGuildWith(h: ApiHarness, ownerId: string, memberIds: readonly string[] = []): Promise<{ guildId: string; generalId: string }> {
  const { guild } = await h.client.createGuild({ name: 'Test guild', ownerId });
  for (const id of memberIds) await h.client.addMember({ guildId: guild!.id, user: { id } });
  const { channels } = await h.client.getGuild({ guildId: guild!.id });
  h.publisher.take();
  return { guildId: guild!.id, generalId: channels.find((c) => c.name === 'general')!.id };
}

/** The rejection of a call, for `expect(...).toMatchObject({ name, field })`. */
export async function rejection(call: Promise<unknown>): Promise<{ name: string; field?: string; message: string }> {
  try {
    await call;
  } catch (err) {
    return err as { name: string; field?: string; message: string };
  }
  throw new Error('expected the call to fail');
}
