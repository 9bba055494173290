// The gateway edge's metrics, on the service's registry. Labels are bounded: session state, close
// code (a fixed set), event type (known events, else "other"), compression, resume outcome.
import { Counter, Gauge, Histogram } from '@switchboard/runtime';
import type { Registry } from '@switchboard/runtime';
import { EVENT_INTENTS } from '../protocol';

export type ResumeOutcome = 'resumed' | 'resumed-from-peer' | 'unknown-session' | 'too-old' | 'future-seq' | 'bad-token' | 'wrong-encoding'
  | 'origin-unreachable';

const KNOWN_EVENTS = new Set([...Object.keys(EVENT_INTENTS), 'READY', 'RESUMED', 'GUILD_MEMBERS_CHUNK', 'TYPING_START', 'USER_UPDATE']);

export function eventLabel(t: string): string {
  return KNOWN_EVENTS.has(t) ? t : 'other';
}

export function closeCodeLabel(code: number): string {
  return (code >= 4000 && code <= 4014) || (code >= 1000 && code <= 1015) ? String(code) : 'other';
}

interface PendingSends {
  event: string;
  compression: string;
  frames: number;
  bytes: number;
}

export class GatewayMetrics {
  // Per-delivery counting in plain numbers: prom-client's labelled inc() hashes its labels on every
  // call, which cost more than the rest of a delivery in the fan-out bench. Scrapes fold these in.
  readonly #pending = new Map<string, PendingSends>();

  readonly sessions: Gauge<'state'>;
  readonly connectionsOpened: Counter;
  readonly connectionsClosed: Counter<'code'>;
  readonly dispatches: Counter<'event' | 'compression'>;
  readonly bytesSent: Counter<'event' | 'compression'>;
  readonly fanoutLatency: Histogram;
  readonly replayBufferEvents: Histogram;
  readonly resumes: Counter<'outcome'>;
  readonly upgradesRefused: Counter<'reason'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.sessions = new Gauge({ name: 'gateway_sessions', help: 'Gateway sessions by state.', labelNames: ['state'], registers });
    this.connectionsOpened = new Counter({ name: 'gateway_connections_opened_total', help: 'WebSocket connections accepted.', registers });
    this.connectionsClosed = new Counter({
      name: 'gateway_connections_closed_total', help: 'WebSocket connections closed, by close code.', labelNames: ['code'], registers,
    });
    const fold = (): void => this.#fold();
    this.dispatches = new Counter({
      name: 'gateway_dispatches_sent_total', help: 'Dispatch frames written, by event type and compression.',
      labelNames: ['event', 'compression'], registers, collect: fold,
    });
    this.bytesSent = new Counter({
      name: 'gateway_dispatch_bytes_sent_total', help: 'Dispatch bytes written after compression, by event type and compression.',
      labelNames: ['event', 'compression'], registers, collect: fold,
    });
    this.fanoutLatency = new Histogram({
      name: 'gateway_fanout_latency_seconds', help: 'From an event reaching the gateway to its frames being written.',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1], registers,
    });
    this.replayBufferEvents = new Histogram({
      name: 'gateway_replay_buffer_events', help: 'Dispatches held for replay when a session detaches.',
      buckets: [0, 1, 10, 50, 100, 250, 500, 1000, 2500], registers,
    });
    this.resumes = new Counter({ name: 'gateway_resumes_total', help: 'RESUME attempts by outcome.', labelNames: ['outcome'], registers });
    this.upgradesRefused = new Counter({
      name: 'gateway_upgrades_refused_total', help: 'WebSocket upgrades refused before the handshake.', labelNames: ['reason'], registers,
    });
  }

  /** Counts one dispatch frame written (cheap: no prom-client call on the hot path). */
  countSent(t: string, compression: string, bytes: number): void {
    const key = `${t}\u0000${compression}`;
    let entry = this.#pending.get(key);
    if (!entry) {
      entry = { event: eventLabel(t), compression, frames: 0, bytes: 0 };
      this.#pending.set(key, entry);
    }
    entry.frames += 1;
    entry.bytes += bytes;
  }

  #fold(): void {
    for (const entry of this.#pending.values()) {
      if (entry.frames === 0) continue;
      const labels = { event: entry.event, compression: entry.compression };
      this.dispatches.inc(labels, entry.frames);
      this.bytesSent.inc(labels, entry.bytes);
      entry.frames = 0;
      entry.bytes = 0;
    }
  }
}
