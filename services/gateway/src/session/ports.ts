// What the session layer needs from the rest of the gateway, one tiny interface each. The session
// core depends only on these; real implementations come from auth/, limits/ and the guild and
// presence services, and fakes.ts holds the in-memory ones used by tests and embedded mode.
import type { GuildSubscriptionsCommand } from './commands';

/** The user object of READY (snowflakes as decimal strings, as on the wire). */
export interface UserPayload {
  id: string;
  username: string;
  discriminator?: string;
  global_name?: string | null;
  avatar?: string | null;
  bot?: boolean;
  [field: string]: unknown;
}

export interface AuthenticatedIdentity {
  userId: bigint;
  /** Intents the session gets: the requested ones, when every privileged bit is granted. */
  grantedIntents: number;
  user: UserPayload;
  /** READY's `application.id`; defaults to the user id (a bot's application id is its user id). */
  applicationId?: string;
  /** Unix seconds the token was issued at; a revocation cutoff after it ends the session. Unknown → 0. */
  issuedAt?: number;
}

/**
 * Checks an IDENTIFY's token and intents.
 * @throws an error whose `closeCode` is 4004 (bad token), 4013 (invalid intents) or 4014
 *   (privileged intents not granted). Anything else is a server fault (close 4000).
 */
export interface IdentifyAuthenticator {
  authenticate(token: string, intents: number): Promise<AuthenticatedIdentity>;
}

/** Identify concurrency (`shard_id % max_concurrency` buckets); false → op 9 d:false. */
export interface IdentifyGate {
  tryIdentify(userId: bigint, shardId: number, maxConcurrency: number): boolean;
}

/**
 * The session-start budget (limits/session-start-limit.ts): every admitted IDENTIFY consumes one
 * start of its user, RESUME none; `allowed: false` → close 4008 "session start limit exhausted".
 */
export interface SessionStartGate {
  consume(userId: bigint): { allowed: true; remaining: number } | { allowed: false; resetAfterMs: number };
}

/**
 * The 120 commands / 60 s budget of one connection; `hit` false → close 4008. Every frame counts,
 * heartbeats included (`op` lets the limiter be lenient with them: limits/command-rate-limiter.ts).
 */
export interface CommandLimiter {
  hit(now: number, op?: number): boolean;
}

/** One limiter per connection, created when the connection sends its first command. */
export type CommandLimiterFactory = () => CommandLimiter;

/** Bounds the connections of this process; a full cap refuses upgrades with HTTP 503. */
export interface SessionCap {
  tryAcquire(): boolean;
  release(): void;
}

/** A guild as the session needs it: its id, and the full GUILD_CREATE payload sent after READY. */
export interface GuildSnapshot {
  id: string;
  /** The GUILD_CREATE `d` (channels, roles, members, presences, ...). */
  payload: Record<string, unknown>;
}

/** What IDENTIFY says about the guilds it wants. */
export interface ReadyGuildsOptions {
  /** IDENTIFY large_threshold (50–250): larger guilds omit offline members from GUILD_CREATE. */
  largeThreshold?: number;
}

export interface GuildDirectory {
  /**
   * The guilds of `userId` that fall on `shard` ([id, count]). A rejection closes the connection
   * with 4000 (or the error's `closeCode`).
   */
  readyGuilds(userId: bigint, shard: readonly [number, number], options?: ReadyGuildsOptions): Promise<GuildSnapshot[]>;
  /**
   * Resolves once the guild service streams this instance every scope its registered sessions
   * need (a session taken over from a peer waits for it before the peer lets go). Never rejects.
   */
  syncInterests?(): Promise<void>;
}

export interface PresencePayload {
  since: number | null;
  activities: unknown[];
  status: string;
  afk: boolean;
}

/** Where op 3 PRESENCE_UPDATE goes (the presence service aggregates it). */
export interface PresenceSink {
  sessionPresence(sessionId: string, userId: bigint, presence: PresencePayload): void;
}

/** Where op 8 REQUEST_GUILD_MEMBERS goes; answers come back as GUILD_MEMBERS_CHUNK dispatches. */
export interface MemberRequester {
  requestMembers(sessionId: string, userId: bigint, request: Record<string, unknown>): void;
}

/**
 * Where op 14 GUILD_SUBSCRIPTIONS goes (guild-link/guild-activity.ts): the session becomes active
 * in the guild and its member-list subscriptions change. Only sessions in READY send it.
 */
export interface GuildSubscriptionSink {
  guildSubscriptions(sessionId: string, command: GuildSubscriptionsCommand): void;
}

/** An error carrying the gateway close code it maps to (thrown by an IdentifyAuthenticator). */
export interface ErrorWithCloseCode extends Error {
  closeCode: number;
}

export function closeCodeOf(error: unknown): number | undefined {
  const code = (error as Partial<ErrorWithCloseCode> | null)?.closeCode;
  return typeof code === 'number' ? code : undefined;
}

/** One buffered dispatch as it crosses instances: `d` as JSON text, whatever the encoding. */
export interface HandedOverDispatch {
  seq: number;
  t: string;
  dJson: string;
  /** The guild stream event it carries (EncodedDispatch.eventKey), if any. */
  eventKey?: string;
}

/** What TakeSession returns: the session and every dispatch after the client's seq. */
export interface SessionSnapshot {
  userId: bigint;
  intents: number;
  shardId: number;
  shardCount: number;
  guildIds: string[];
  /** The session's shape (`json+payload-zlib` when IDENTIFY asked for payload compression). */
  shape: 'json' | 'etf' | 'json+payload-zlib';
  replay: HandedOverDispatch[];
  nextSeq: number;
}

/** What ReleaseSession returns: what the origin delivered after the snapshot. */
export interface SessionTail {
  replay: HandedOverDispatch[];
  nextSeq: number;
}

export interface TakeSessionRequest {
  sessionId: string;
  seq: number;
  userId: bigint;
  /** The new connection's shape (before payload compression is known). */
  shape: 'json' | 'etf' | 'json+payload-zlib';
  takerInstanceId: string;
}

/** Why a handoff was refused: the session-level outcome (op 9, or 4007 for `future-seq`). */
export type HandoffRefusalReason = 'unknown-session' | 'too-old' | 'future-seq' | 'bad-token' | 'wrong-encoding' | 'origin-unreachable';

export class HandoffRefusedError extends Error {
  override readonly name = 'HandoffRefusedError';
  constructor(readonly reason: HandoffRefusalReason, message: string = reason, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * Cross-instance resume, taker side: reaches the instance a session id names as its origin
 * (session-id.ts). Two steps, so nothing published during the handoff is lost: `take` marks the
 * session handed off at the origin (which keeps it subscribed and buffering) and returns it; the
 * taker subscribes it locally, then `release` returns what the origin buffered meanwhile and ends
 * it there. Both throw HandoffRefusedError (reason `origin-unreachable` for transport failures).
 */
export interface SessionHandoff {
  take(origin: string, request: TakeSessionRequest): Promise<SessionSnapshot>;
  release(origin: string, sessionId: string, takerInstanceId: string, afterSeq: number): Promise<SessionTail>;
}
