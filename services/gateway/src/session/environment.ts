// What every session shares: settings, ports, the registry, the heartbeat wheel, metrics and one
// typed event emitter. Shared objects are referenced, never copied per session (memory target).
import { EventEmitter } from 'node:events';
import type { EncodedDispatch } from '../codec';
import type { HeartbeatWheel } from './heartbeat-wheel';
import type { GatewayMetrics } from './metrics';
import type {
  CommandLimiterFactory, GuildDirectory, GuildSubscriptionSink, IdentifyAuthenticator, IdentifyGate, MemberRequester, PresenceSink, SessionHandoff,
  SessionStartGate,
} from './ports';
import type { ReplayLimits } from './replay-buffer';
import type { Session, SessionState } from './session';

/** How a session's dispatches are encoded: the encoding, and JSON payload compression (IDENTIFY compress). */
export type DispatchShape = 'json' | 'etf' | 'json+payload-zlib';

export interface SessionSettings {
  /** HELLO's heartbeat_interval. */
  heartbeatIntervalMs: number;
  /** Extra time past the interval before a silent connection is closed with 4009. */
  heartbeatSlackMs: number;
  /** How long a detached session stays resumable. */
  resumeWindowMs: number;
  replay: ReplayLimits;
  /** READY's resume_gateway_url (no query string). */
  resumeGatewayUrl: string;
  /** Identify concurrency passed to the IdentifyGate (what /gateway/bot reports). */
  maxConcurrency: number;
}

export const DEFAULT_SESSION_SETTINGS: SessionSettings = {
  heartbeatIntervalMs: 41_250,
  heartbeatSlackMs: 10_000,
  resumeWindowMs: 180_000,
  replay: { maxEvents: 1000, maxBytes: 1 << 20 },
  resumeGatewayUrl: 'ws://localhost:8080',
  maxConcurrency: 1,
};

export interface SessionPorts {
  authenticator: IdentifyAuthenticator;
  identifyGate: IdentifyGate;
  /** The daily session-start budget; unset → IDENTIFY is not budgeted (tests, fakes). */
  sessionStarts?: SessionStartGate | undefined;
  commandLimiter: CommandLimiterFactory;
  guilds: GuildDirectory;
  presence: PresenceSink;
  members: MemberRequester;
  /** op 14 (guild-link/); unset → op 14 is validated and dropped. */
  guildSubscriptions?: GuildSubscriptionSink | undefined;
  /** Cross-instance resume (handoff/); unset → a RESUME of another instance's session gets op 9 d:false. */
  handoff?: SessionHandoff | undefined;
}

/** The registry as sessions see it (session-registry.ts implements it). */
export interface SessionDirectory {
  get(sessionId: string): Session | undefined;
  add(session: Session, guildIds: readonly string[]): void;
  remove(session: Session): void;
  /** Encodes a session-local dispatch (READY, GUILD_CREATE, RESUMED) in `shape`. */
  encode(shape: DispatchShape, t: string, d: unknown): EncodedDispatch;
}

export interface SessionEvents {
  state: [session: Session, from: SessionState, to: SessionState];
}

export interface SessionEnvironment {
  readonly settings: SessionSettings;
  readonly ports: SessionPorts;
  readonly directory: SessionDirectory;
  readonly wheel: HeartbeatWheel;
  readonly metrics: GatewayMetrics | undefined;
  /** One emitter for all sessions: observers subscribe once, sessions carry no listener lists. */
  readonly events: EventEmitter<SessionEvents>;
  /** Origin of new session ids (see session-id.ts). */
  readonly instanceId: string;
  readonly now: () => number;
}
