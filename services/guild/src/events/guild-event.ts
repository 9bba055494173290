// GuildEvent records (proto/switchboard/guild/v1/guild.proto) on the event log: building them,
// their binary encoding, and the publisher the product API writes through.
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { guildV1 } from '@switchboard/proto';
import type { EventLog, ProducedRecord, SnowflakeGenerator } from '@switchboard/runtime';
import { scopeKey } from './scope';
import type { Scope } from './scope';
import { GUILD_EVENTS_TOPIC } from './topics';

export type GuildEvent = guildV1.GuildEvent;

export interface GuildEventInit {
  scope: Scope;
  /** The dispatch name (`t`). */
  type: string;
  /** The dispatch payload (`d`), serialised once here. */
  payload: Record<string, unknown>;
  channelId?: bigint | string;
  onlyUserIds?: Iterable<bigint | string>;
  contentUserIds?: Iterable<bigint | string>;
  requiredIntent?: number;
  pushUserIds?: Iterable<bigint | string>;
  /** A batch of dispatches of `type` (PRESENCE_UPDATE of several users), each serialised once here. */
  batchPayloads?: readonly Record<string, unknown>[];
  /** Defaults to a fresh snowflake. */
  eventId?: bigint | string;
}

const strings = (ids: Iterable<bigint | string> | undefined) => (ids ? [...ids].map(String) : []);

export function guildEvent(init: GuildEventInit, ids: SnowflakeGenerator): GuildEvent {
  const shape: MessageInitShape<typeof guildV1.GuildEventSchema> = {
    eventId: (init.eventId ?? ids.next()).toString(),
    scope: init.scope,
    type: init.type,
    payloadJson: JSON.stringify(init.payload),
    channelId: init.channelId?.toString() ?? '',
    onlyUserIds: strings(init.onlyUserIds),
    contentUserIds: strings(init.contentUserIds),
    requiredIntent: init.requiredIntent ?? 0,
    pushUserIds: strings(init.pushUserIds),
    batchPayloadsJson: init.batchPayloads?.map((payload) => JSON.stringify(payload)) ?? [],
  };
  return create(guildV1.GuildEventSchema, shape);
}

export function encodeGuildEvent(event: GuildEvent): Buffer {
  return Buffer.from(toBinary(guildV1.GuildEventSchema, event));
}

/** @throws when the bytes are not a GuildEvent with a scope and a type (a poison record). */
export function decodeGuildEvent(bytes: Uint8Array): GuildEvent {
  const event = fromBinary(guildV1.GuildEventSchema, bytes);
  if (!event.scope || !event.type) throw new Error('guild event without scope or type');
  return event;
}

/** Appends guild events; resolves once the log acknowledged them all (in order per scope). */
export interface GuildEventPublisher {
  publish(events: readonly GuildEvent[]): Promise<ProducedRecord[]>;
}

export class EventLogGuildEventPublisher implements GuildEventPublisher {
  constructor(private readonly log: EventLog, private readonly topic: string = GUILD_EVENTS_TOPIC) {}

  publish(events: readonly GuildEvent[]): Promise<ProducedRecord[]> {
    if (events.length === 0) return Promise.resolve([]);
    return this.log.produce(
      this.topic,
      events.map((event) => ({ key: scopeKey(event.scope!), value: encodeGuildEvent(event), headers: { 'event-type': event.type } })),
    );
  }
}
