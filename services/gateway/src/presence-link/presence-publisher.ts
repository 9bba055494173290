// The gateway's half of presence: every session's connect, op 3 and end become
// SessionPresenceEvent records keyed by user id on the presence topic, where the presence service
// aggregates them per user. Sends are not awaited by the session (a client's op 3 must not wait on
// Kafka); records of one user keep their order because the log keeps produce-call order per key.
// A failed produce is logged and counted, and makes the next acknowledged lease renewal re-announce
// every live session (reannounce(): CONNECTED with its last presence, idempotent at the presence
// service); a session's end is also covered by the gateway's lease with the presence service.
import { create, toBinary } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { presenceV1 } from '@switchboard/proto';
import type { EventLog, Logger } from '@switchboard/runtime';
import { Counter } from 'prom-client';
import type { Registry } from 'prom-client';
import type { PresencePayload, PresenceSink } from '../session/ports';
import type { Session } from '../session/session';
import type { SessionRegistryObserver } from '../session/session-registry';

export const PRESENCE_SESSIONS_TOPIC = 'switchboard.presence.sessions';

const ONLINE: PresencePayload = { status: 'online', activities: [], since: null, afk: false };
const STATUSES: ReadonlySet<string> = new Set(['online', 'dnd', 'idle', 'invisible', 'offline']);

/** The status clients may set (op 3); anything else is not forwarded. */
function normalizedStatus(status: unknown): string | undefined {
  return typeof status === 'string' && STATUSES.has(status) ? status : undefined;
}

/** `since`: Unix milliseconds as an integer, or null (clients send floats and junk too). */
function normalizedSince(since: unknown): number | null {
  return typeof since === 'number' && Number.isFinite(since) && since > 0 ? Math.round(since) : null;
}

const Kind = presenceV1.SessionPresenceEvent_Kind;

export interface PresencePublisherOptions {
  eventLog: EventLog;
  instanceId: string;
  logger: Pick<Logger, 'warn'>;
  topic?: string;
  registry?: Registry;
  now?: () => number;
}

export class PresencePublisher implements PresenceSink, SessionRegistryObserver {
  readonly #options: PresencePublisherOptions;
  readonly #sent: Counter<'kind' | 'outcome'> | undefined;

  constructor(options: PresencePublisherOptions) {
    this.#options = options;
    this.#sent = options.registry
      ? new Counter({
        name: 'gateway_presence_events_total',
        help: 'Session presence events produced for the presence service, by kind and outcome (ok, failed).',
        labelNames: ['kind', 'outcome'],
        registers: [options.registry],
      })
      : undefined;
  }

  /** Each session this instance holds: its platform (for op 3 updates) and last presence (for reannounce). */
  readonly #live = new Map<string, { userId: bigint; platform: string; presence: PresencePayload }>();
  /** A produce failed since the last reannounce(). */
  #failed = false;
  /**
   * Sessions added in this turn, CONNECTED not sent yet: READY registers the session and then
   * reports IDENTIFY's `presence` in the same turn, and that presence belongs in CONNECTED (an
   * idle client would otherwise show online for a moment).
   */
  readonly #connecting = new Map<string, { userId: bigint; platform: string; presence: PresencePayload }>();

  sessionAdded(session: Session): void {
    const id = session.id!;
    this.#live.set(id, { userId: session.userId, platform: session.platform, presence: ONLINE });
    this.#connecting.set(id, { userId: session.userId, platform: session.platform, presence: ONLINE });
    queueMicrotask(() => this.#connected(id));
  }

  sessionRemoved(session: Session): void {
    this.#connected(session.id!);
    this.#live.delete(session.id!);
    this.#publish(Kind.DISCONNECTED, session.id!, session.userId, session.platform, undefined);
  }

  #connected(sessionId: string): void {
    const connecting = this.#connecting.get(sessionId);
    if (!connecting) return;
    this.#connecting.delete(sessionId);
    this.#publish(Kind.CONNECTED, sessionId, connecting.userId, connecting.platform, connecting.presence);
  }

  subscribed(): void {}
  unsubscribed(): void {}

  /** op 3 (and IDENTIFY's `presence`, sent right after the session was added). */
  sessionPresence(sessionId: string, userId: bigint, presence: PresencePayload): void {
    const status = normalizedStatus(presence.status);
    if (status === undefined) {
      this.#options.logger.warn({ sessionId, status: presence.status }, 'presence update with an unknown status ignored');
      return;
    }
    const normalized: PresencePayload = { ...presence, status, since: normalizedSince(presence.since) };
    const live = this.#live.get(sessionId);
    if (live) live.presence = normalized;
    const connecting = this.#connecting.get(sessionId);
    if (connecting) connecting.presence = normalized;
    else this.#publish(Kind.UPDATED, sessionId, userId, live?.platform ?? 'web', normalized);
  }

  /** Whether a produce failed since the last reannounce(). */
  get hadFailures(): boolean {
    return this.#failed;
  }

  /**
   * CONNECTED again for every live session, with its last presence: after a lease that may have
   * lapsed or events that were lost, the presence service gets this instance's sessions back.
   * Returns how many were announced.
   */
  reannounce(): number {
    this.#failed = false;
    let announced = 0;
    for (const [sessionId, live] of this.#live) {
      if (this.#connecting.has(sessionId)) continue; // its CONNECTED is on its way
      this.#publish(Kind.CONNECTED, sessionId, live.userId, live.platform, live.presence);
      announced += 1;
    }
    return announced;
  }

  #publish(kind: presenceV1.SessionPresenceEvent_Kind, sessionId: string, userId: bigint, platform: string, presence: PresencePayload | undefined): void {
    const { eventLog, instanceId, topic = PRESENCE_SESSIONS_TOPIC, now = Date.now } = this.#options;
    const event = create(presenceV1.SessionPresenceEventSchema, {
      kind,
      userId: userId.toString(),
      sessionId,
      gatewayInstanceId: instanceId,
      platform,
      status: presence?.status ?? '',
      activitiesJson: presence ? JSON.stringify(presence.activities ?? []) : '',
      since: BigInt(presence?.since ?? 0),
      afk: presence?.afk ?? false,
      at: timestampFromMs(now()),
    });
    const label = Kind[kind].toLowerCase();
    eventLog.produce(topic, [{ key: userId.toString(), value: Buffer.from(toBinary(presenceV1.SessionPresenceEventSchema, event)) }]).then(
      () => this.#sent?.inc({ kind: label, outcome: 'ok' }),
      (err: unknown) => {
        this.#failed = true;
        this.#sent?.inc({ kind: label, outcome: 'failed' });
        this.#options.logger.warn({ err, sessionId, userId: userId.toString(), kind: label }, 'session presence not published');
      },
    );
  }
}

export interface ReannouncePolicy {
  /** The lease's TTL and renewal interval. */
  ttlMs: number;
  intervalMs: number;
  logger: Pick<Logger, 'warn'>;
}

/**
 * GatewayLease's onRenewed: after a renewal that followed a gap close to the TTL (the presence
 * service may have expired this instance), or after lost session events, gives the presence
 * service every live session again, one interval later (after its lease sweep saw the renewal, so
 * no expiry undoes it).
 */
export function reannounceOnRenewal(publisher: PresencePublisher, policy: ReannouncePolicy): (gapMs: number | undefined) => void {
  return (gapMs) => {
    if (!publisher.hadFailures && (gapMs === undefined || gapMs < policy.ttlMs - policy.intervalMs)) return;
    setTimeout(() => {
      const sessions = publisher.reannounce();
      policy.logger.warn({ sessions, gapMs }, 'presence lease renewed after a gap or lost events: sessions announced again');
    }, policy.intervalMs).unref();
  };
}
