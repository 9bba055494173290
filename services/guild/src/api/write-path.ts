// The write path of the Design: one transaction per write holding a transaction-scoped advisory
// lock on the guild (a DM channel's id for DM writes), checks and writes, then the events are
// published and acknowledged by the event log BEFORE the commit. So writes to one guild are
// serialized and their events sit in the log in commit order; a publish that fails rolls the
// writes back and the caller gets UNAVAILABLE. (A COMMIT failing after a successful publish would
// leave an event without its write; PostgreSQL commits of a held transaction fail only when the
// server dies, and the consumers treat events as authoritative notifications, not as state.)
import { UnavailableError } from '@switchboard/runtime';
import type { Database, Logger, SnowflakeGenerator, Transaction } from '@switchboard/runtime';
import type { GuildEvent, GuildEventInit, GuildEventPublisher } from '../events';
import { guildEvent } from '../events';
import type { PresenceReader } from '../presence-reader';

export interface GuildApiDeps {
  database: Database;
  publisher: GuildEventPublisher;
  ids: SnowflakeGenerator;
  logger?: Logger;
  /** Presences for GUILD_CREATE and member chunks (reads only); default: none (NO_PRESENCES). */
  presences?: PresenceReader;
}

export interface WriteOutcome<R> {
  result: R;
  events: readonly GuildEventInit[];
}

/** What a committed write returns: its result and the id of the first event (or '' when none). */
export interface Written<R> {
  result: R;
  eventId: string;
}

const SIGNED_RANGE = 1n << 63n;

/** pg_advisory_xact_lock takes a signed bigint; snowflakes above 2^63 wrap (still unique). */
export function advisoryLockKey(id: bigint): bigint {
  return id >= SIGNED_RANGE ? id - (1n << 64n) : id;
}

export async function lockedWrite<R>(
  deps: GuildApiDeps,
  lockId: bigint,
  fn: (tx: Transaction) => Promise<WriteOutcome<R>>,
): Promise<Written<R>> {
  return deps.database.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1::bigint)', [advisoryLockKey(lockId)]);
    const { result, events } = await fn(tx);
    const records = events.map((init) => guildEvent(init, deps.ids));
    await publishOrUnavailable(deps, records);
    return { result, eventId: records[0]?.eventId ?? '' };
  });
}

/** Publishes events that change no state (Dispatch to users); same failure mapping. */
export async function publishOnly(deps: GuildApiDeps, events: readonly GuildEventInit[]): Promise<string> {
  const records = events.map((init) => guildEvent(init, deps.ids));
  await publishOrUnavailable(deps, records);
  return records[0]?.eventId ?? '';
}

async function publishOrUnavailable(deps: GuildApiDeps, records: readonly GuildEvent[]): Promise<void> {
  try {
    await deps.publisher.publish(records);
  } catch (err) {
    deps.logger?.warn({ err, events: records.length }, 'guild events not acknowledged; write rolled back');
    throw new UnavailableError('the event log did not acknowledge the events; nothing was written', { cause: err });
  }
}
