// op 8 REQUEST_GUILD_MEMBERS over gRPC: validated here (malformed → 4002), limited per session
// (over the budget → the RATE_LIMITED dispatch Discord sends), answered by the guild service's
// RequestGuildMembers, and each GUILD_MEMBERS_CHUNK delivered to the requesting session only.
import { CloseCodes, GatewayIntent } from '../protocol';
import { CommandError } from '../session';
import type { MemberRequester, SessionRegistry } from '../session';
import type { GuildClient, LinkLogger } from './fanout-stream';
import type { GuildLinkMetrics } from './metrics';

export interface MemberRequest {
  guildId: string;
  query: string;
  limit: number;
  userIds: string[];
  presences: boolean;
  nonce: string;
}

const SNOWFLAKE = /^\d{1,20}$/;
/** Discord's ceiling on user_ids per request. */
const MAX_USER_IDS = 100;

function decodeError(message: string): CommandError {
  return new CommandError(CloseCodes.DECODE_ERROR, `REQUEST_GUILD_MEMBERS ${message}`);
}

/** @throws CommandError 4002 when the request is malformed (Discord's rules, gateway-protocol.md). */
export function parseMemberRequestFields(d: Record<string, unknown>): MemberRequest {
  if (typeof d.guild_id !== 'string' || !SNOWFLAKE.test(d.guild_id)) throw decodeError('guild_id must be a snowflake');
  const hasQuery = d.query !== undefined && d.query !== null;
  const hasUserIds = d.user_ids !== undefined && d.user_ids !== null;
  if (hasQuery === hasUserIds) throw decodeError('needs exactly one of query and user_ids');
  let userIds: string[] = [];
  if (hasUserIds) {
    userIds = Array.isArray(d.user_ids) ? (d.user_ids as unknown[]).map(String) : [String(d.user_ids)];
    if (userIds.length === 0 || userIds.length > MAX_USER_IDS || !userIds.every((id) => SNOWFLAKE.test(id))) {
      throw decodeError(`user_ids must be 1 to ${MAX_USER_IDS} snowflakes`);
    }
  }
  if (hasQuery && typeof d.query !== 'string') throw decodeError('query must be a string');
  const limit = d.limit ?? (hasQuery ? undefined : 0);
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0 || limit > 1000) throw decodeError('limit must be an integer');
  if (d.presences !== undefined && d.presences !== null && typeof d.presences !== 'boolean') throw decodeError('presences must be a boolean');
  const nonce = d.nonce === undefined || d.nonce === null ? '' : String(d.nonce);
  return { guildId: d.guild_id, query: hasQuery ? (d.query as string) : '', limit, userIds, presences: d.presences === true, nonce };
}

/** Fixed windows per session; answers how long until the next request is allowed (0 = now). */
export class MemberRequestLimiter {
  readonly #windows = new Map<string, { start: number; count: number }>();
  #lastSweep = 0;

  constructor(readonly limit: number, readonly windowMs: number) {}

  hit(sessionId: string, now: number): number {
    this.#sweep(now);
    let window = this.#windows.get(sessionId);
    if (!window || now - window.start >= this.windowMs) this.#windows.set(sessionId, (window = { start: now, count: 0 }));
    if (window.count >= this.limit) return window.start + this.windowMs - now;
    window.count += 1;
    return 0;
  }

  /** Forgets finished windows now and then, so ended sessions leave nothing behind. */
  #sweep(now: number): void {
    if (now - this.#lastSweep < this.windowMs) return;
    this.#lastSweep = now;
    for (const [sessionId, window] of this.#windows) if (now - window.start >= this.windowMs) this.#windows.delete(sessionId);
  }
}

export interface GrpcMemberRequesterOptions {
  client: GuildClient;
  registry: SessionRegistry;
  timeoutMs: number;
  limit: number;
  windowMs: number;
  logger: LinkLogger;
  metrics?: GuildLinkMetrics | undefined;
  now?: () => number;
}

export class GrpcMemberRequester implements MemberRequester {
  readonly #options: GrpcMemberRequesterOptions;
  readonly #limiter: MemberRequestLimiter;

  constructor(options: GrpcMemberRequesterOptions) {
    this.#options = options;
    this.#limiter = new MemberRequestLimiter(options.limit, options.windowMs);
  }

  requestMembers(sessionId: string, userId: bigint, d: Record<string, unknown>): void {
    const request = parseMemberRequestFields(d);
    const { registry, logger, metrics } = this.#options;
    const session = registry.get(sessionId);
    if (!session) return;
    // Discord answers a full-list request without GUILD_MEMBERS with nothing, and drops presences
    // without GUILD_PRESENCES.
    if (request.query === '' && request.limit === 0 && request.userIds.length === 0 && (session.intents & GatewayIntent.GUILD_MEMBERS) === 0) {
      logger.debug({ sessionId, guildId: request.guildId }, 'op 8 full member list without GUILD_MEMBERS: ignored');
      return;
    }
    if ((session.intents & GatewayIntent.GUILD_PRESENCES) === 0) request.presences = false;
    const waitMs = this.#limiter.hit(sessionId, (this.#options.now ?? Date.now)());
    if (waitMs > 0) {
      metrics?.memberRequestsRateLimited.inc();
      const meta: Record<string, unknown> = { guild_id: request.guildId };
      if (request.nonce !== '') meta.nonce = request.nonce;
      registry.dispatchToSession(sessionId, 'RATE_LIMITED', { opcode: 8, retry_after: waitMs / 1000, meta });
      return;
    }
    void this.#request(sessionId, userId, request);
  }

  async #request(sessionId: string, userId: bigint, request: MemberRequest): Promise<void> {
    const { client, registry, timeoutMs, logger } = this.#options;
    try {
      const chunks = client.requestGuildMembers({
        guildId: request.guildId,
        userId: userId.toString(),
        query: request.query,
        limit: request.limit,
        userIds: request.userIds,
        presences: request.presences,
        nonce: request.nonce,
      }, { timeoutMs });
      // Each chunk goes out as it arrives: a thousand-chunk answer is never held here whole.
      for await (const chunk of chunks) {
        if (!registry.dispatchToSession(sessionId, 'GUILD_MEMBERS_CHUNK', JSON.parse(chunk.chunkJson) as Record<string, unknown>)) return;
      }
    } catch (error) {
      // Not a member, unknown guild, guild service down: Discord sends nothing either.
      logger.warn({ sessionId, guildId: request.guildId, err: error }, 'RequestGuildMembers failed: op 8 not answered');
    }
  }
}
