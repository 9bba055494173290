// One event to the gateway streams interested in its scope: one FanoutEvent per stream with at
// least one user allowed to see it, then the wait for every such stream to ack the offset.
import { create } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { guildV1 } from '@switchboard/proto';
import { UnavailableError } from '@switchboard/runtime';
import type { ConsumedRecord } from '@switchboard/runtime';
import { encodeVisibility, visibleUsers } from './audience';
import type { VisibilityInit } from './audience';
import type { DecodedEvent } from './decoded-event';
import { isGuildScope } from './decoded-event';
import type { FanoutMetrics } from './fanout-metrics';
import type { FanoutLogger } from './fanout-service';
import type { AckOutcome, GatewayStream } from './gateway-stream';
import type { InterestTable } from './interest-table';
import { passiveAudience } from './passive-audience';
import type { ScopeState } from './scope-state';

/**
 * Sends the event to every interested stream with a visible user; returns the streams sent to.
 * `passiveThreshold`: guilds with more members send message traffic only to active users and the
 * users it names (see passive-audience.ts); undefined = never.
 */
export function sendToStreams(
  event: DecodedEvent,
  record: ConsumedRecord,
  state: ScopeState | undefined,
  table: InterestTable<GatewayStream>,
  metrics: FanoutMetrics,
  passiveThreshold?: number,
): GatewayStream[] {
  const sent: GatewayStream[] = [];
  const passive = passiveAudience(event, state, passiveThreshold);
  // Copy: a send never changes the table, but a closing stream would (its interests are dropped).
  for (const [stream, interested] of [...table.streamsFor(event.scopeKey)]) {
    let visible = visibleUsers(event, state, interested);
    if (passive) visible = passive.narrow(visible, table.activeUsers(stream, event.scopeKey));
    const visibility = encodeVisibility(visible, interested);
    if (!visibility) continue;
    const value = fanoutEvent(event, record, visibility);
    if (passive) {
      value.activeOnly = true;
      value.mentionedUserIds = passive.mentionedAmong(visible);
    }
    const message = create(guildV1.FanoutMessageSchema, { kind: { case: 'event', value } });
    if (!stream.send(message)) continue;
    sent.push(stream);
    metrics.messagesSent.inc();
    metrics.visibleDeliveries.inc(visible.length);
  }
  return sent;
}

function fanoutEvent(
  event: DecodedEvent,
  record: ConsumedRecord,
  visibility: VisibilityInit,
): guildV1.FanoutEvent {
  const e = event.event;
  return create(guildV1.FanoutEventSchema, {
    scope: e.scope,
    eventId: e.eventId,
    type: e.type,
    payloadJson: e.payloadJson,
    batchPayloadsJson: e.batchPayloadsJson,
    guildId: isGuildScope(event) ? event.scopeId.toString() : '',
    partition: record.partition,
    offset: record.offset,
    visibility,
    contentUserIds: e.contentUserIds,
    requiredIntent: e.requiredIntent,
    publishedAt: timestampFromMs(record.timestamp),
  });
}

export interface AckWaitOptions {
  timeoutMs: number;
  signal: AbortSignal;
  metrics: FanoutMetrics;
  logger: FanoutLogger;
}

/**
 * Waits until every stream acked the record's offset (or closed). A stream that does not ack in
 * time is ended with UNAVAILABLE, so its gateway reconnects, instead of holding the partition's
 * commit back for ever. Returns the gateway instances that may have missed the record: those whose
 * stream timed out or was cut before acking (not those that ended it cleanly, draining).
 */
export async function awaitAcks(streams: readonly GatewayStream[], record: ConsumedRecord, options: AckWaitOptions): Promise<string[]> {
  if (streams.length === 0) return [];
  const started = process.hrtime.bigint();
  const offset = BigInt(record.offset);
  const outcomes = await Promise.all(
    streams.map(async (stream): Promise<AckOutcome> => {
      const outcome = await stream.waitForAck(record.partition, offset, options.timeoutMs, options.signal);
      if (outcome === 'timeout') endSlowStream(stream, record, options);
      return outcome;
    }),
  );
  if (outcomes.every((outcome) => outcome === 'acked')) {
    options.metrics.ackWaitSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
  }
  return streams
    .filter((stream, i) => outcomes[i] === 'timeout' || (outcomes[i] === 'gone' && !stream.endedCleanly))
    .map((stream) => stream.gatewayInstanceId);
}

function endSlowStream(stream: GatewayStream, record: ConsumedRecord, options: AckWaitOptions): void {
  options.metrics.ackTimeouts.inc();
  options.logger.warn(
    { gateway: stream.gatewayInstanceId, stream: stream.id, partition: record.partition, offset: record.offset, timeoutMs: options.timeoutMs },
    'fanout stream did not ack in time; ending it',
  );
  stream.close(new UnavailableError(`no ack of ${record.topic}[${record.partition}]@${record.offset} within ${options.timeoutMs} ms`));
}
