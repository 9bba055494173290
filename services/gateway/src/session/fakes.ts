// In-memory implementations of the session ports, for tests; the Discarding* ones and the empty
// InMemoryGuildDirectory stand in (in every mode) until the guild and presence services exist.
import { CloseCodes, missingPrivilegedIntents, validIntents } from '../protocol';
import type {
  AuthenticatedIdentity,
  CommandLimiter,
  GuildDirectory,
  GuildSnapshot,
  IdentifyAuthenticator,
  IdentifyGate,
  MemberRequester,
  PresencePayload,
  PresenceSink,
  SessionCap,
} from './ports';

export class AuthenticationError extends Error {
  override readonly name = 'AuthenticationError';
  constructor(readonly closeCode: number, message: string) {
    super(message);
  }
}

/** Tokens map to identities; `grantedPrivileged` is the privileged bits each user may ask for. */
export class FakeAuthenticator implements IdentifyAuthenticator {
  readonly #users = new Map<string, { identity: Omit<AuthenticatedIdentity, 'grantedIntents'>; granted: number }>();

  add(token: string, userId: bigint, options: { grantedPrivileged?: number; username?: string } = {}): this {
    const user = { id: userId.toString(), username: options.username ?? `user${userId}`, discriminator: '0', bot: true };
    this.#users.set(token, { identity: { userId, user }, granted: options.grantedPrivileged ?? 0 });
    return this;
  }

  async authenticate(token: string, intents: number): Promise<AuthenticatedIdentity> {
    const entry = this.#users.get(token);
    if (!entry) throw new AuthenticationError(CloseCodes.AUTHENTICATION_FAILED.code, 'unknown token');
    return grant(entry.identity, intents, entry.granted);
  }
}

function grant(identity: Omit<AuthenticatedIdentity, 'grantedIntents'>, intents: number, granted: number): AuthenticatedIdentity {
  if (!validIntents(intents)) throw new AuthenticationError(CloseCodes.INVALID_INTENTS.code, 'invalid intents');
  if (missingPrivilegedIntents(intents, granted) !== 0) {
    throw new AuthenticationError(CloseCodes.DISALLOWED_INTENTS.code, 'privileged intents not granted');
  }
  return { ...identity, grantedIntents: intents };
}

export class AllowAllIdentifyGate implements IdentifyGate {
  denyNext = 0;
  tryIdentify(): boolean {
    if (this.denyNext > 0) {
      this.denyNext -= 1;
      return false;
    }
    return true;
  }
}

/** A fixed window: `limit` commands per `windowMs`. */
export class FixedWindowLimiter implements CommandLimiter {
  #windowStart = 0;
  #count = 0;
  constructor(readonly limit = 120, readonly windowMs = 60_000) {}

  hit(now: number): boolean {
    if (now - this.#windowStart >= this.windowMs) {
      this.#windowStart = now;
      this.#count = 0;
    }
    this.#count += 1;
    return this.#count <= this.limit;
  }
}

export class CountingSessionCap implements SessionCap {
  #used = 0;
  constructor(readonly capacity = Number.POSITIVE_INFINITY) {}
  get used(): number {
    return this.#used;
  }
  tryAcquire(): boolean {
    if (this.#used >= this.capacity) return false;
    this.#used += 1;
    return true;
  }
  release(): void {
    this.#used = Math.max(0, this.#used - 1);
  }
}

/** Guilds per user, filtered by shard like the guild service will. */
export class InMemoryGuildDirectory implements GuildDirectory {
  readonly #byUser = new Map<bigint, GuildSnapshot[]>();

  add(userId: bigint, guild: GuildSnapshot): this {
    const list = this.#byUser.get(userId) ?? [];
    list.push(guild);
    this.#byUser.set(userId, list);
    return this;
  }

  async readyGuilds(userId: bigint, [shardId, shardCount]: readonly [number, number]): Promise<GuildSnapshot[]> {
    return (this.#byUser.get(userId) ?? []).filter((g) => Number((BigInt(g.id) >> 22n) % BigInt(shardCount)) === shardId);
  }
}

export class RecordingPresenceSink implements PresenceSink {
  readonly updates: { sessionId: string; userId: bigint; presence: PresencePayload }[] = [];
  sessionPresence(sessionId: string, userId: bigint, presence: PresencePayload): void {
    this.updates.push({ sessionId, userId, presence });
  }
}

export class RecordingMemberRequester implements MemberRequester {
  readonly requests: { sessionId: string; userId: bigint; request: Record<string, unknown> }[] = [];
  requestMembers(sessionId: string, userId: bigint, request: Record<string, unknown>): void {
    this.requests.push({ sessionId, userId, request });
  }
}

/** Accepts op 3 and drops it (until the presence service is wired). */
export class DiscardingPresenceSink implements PresenceSink {
  sessionPresence(): void {}
}

/** Accepts op 8 and drops it (until the guild service answers member requests). */
export class DiscardingMemberRequester implements MemberRequester {
  requestMembers(): void {}
}
