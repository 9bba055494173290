// A guild events record, decoded once with its ids parsed. Anything malformed is a poison record:
// it can never be fanned out, so it goes to the dead-letter topic at once instead of blocking its
// partition behind retries.
import { guildV1 } from '@switchboard/proto';
import { parseSnowflake, PoisonRecordError } from '@switchboard/runtime';
import type { ConsumedRecord } from '@switchboard/runtime';
import { decodeGuildEvent, scopeKey } from '../events';
import type { GuildEvent } from '../events';

export interface DecodedEvent {
  readonly event: GuildEvent;
  readonly scopeKey: string;
  readonly kind: guildV1.ScopeKind;
  /** The guild id (guild scope) or the user id (user scope). */
  readonly scopeId: bigint;
  readonly payload: Record<string, unknown>;
  readonly channelId: bigint | undefined;
  /** Narrows the audience when set. */
  readonly onlyUserIds: ReadonlySet<bigint> | undefined;
  readonly pushUserIds: readonly bigint[];
}

export function decodeEventRecord(record: ConsumedRecord): DecodedEvent {
  let event: GuildEvent;
  try {
    event = decodeGuildEvent(record.value);
  } catch (err) {
    throw new PoisonRecordError(`${where(record)}: not a guild event`, { cause: err });
  }
  try {
    const scope = event.scope!;
    const payload: unknown = JSON.parse(event.payloadJson);
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw new Error('payload_json is not a JSON object');
    const ids = (values: readonly string[]) => values.map((value) => parseSnowflake(value));
    return {
      event,
      scopeKey: scopeKey(scope),
      kind: scope.kind,
      scopeId: parseSnowflake(scope.id),
      payload: payload as Record<string, unknown>,
      channelId: event.channelId === '' ? undefined : parseSnowflake(event.channelId),
      onlyUserIds: event.onlyUserIds.length === 0 ? undefined : new Set(ids(event.onlyUserIds)),
      pushUserIds: ids(event.pushUserIds),
    };
  } catch (err) {
    throw new PoisonRecordError(`${where(record)}: malformed ${event.type} event: ${(err as Error).message}`, { cause: err });
  }
}

export const isGuildScope = (event: DecodedEvent): boolean => event.kind === guildV1.ScopeKind.GUILD;

function where(record: ConsumedRecord): string {
  return `${record.topic}[${record.partition}]@${record.offset}`;
}
