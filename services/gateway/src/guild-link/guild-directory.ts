// GuildDirectory over gRPC: READY's guilds come from the guild service's GetUserGuilds, and the
// interests they imply — (user U, U) and (guild G, U) for each guild — are announced and synced
// before the list is returned, so no event of those scopes can fall between the snapshot the
// session sends and the stream that follows it.
import type { GuildDirectory, GuildSnapshot, ReadyGuildsOptions } from '../session';
import type { EventApplier } from './event-applier';
import type { GuildClient, LinkLogger } from './fanout-stream';
import { interestKey } from './interest-tracker';
import type { InterestTracker } from './interest-tracker';

/** READY could not get its guilds: the session closes the connection with 4000 (client retries). */
export class GuildDirectoryError extends Error {
  override readonly name = 'GuildDirectoryError';
  readonly closeCode = 4000;
}

/** Too many guilds for one session: the client must shard (close 4011, not resumable). */
export class ShardingRequiredError extends Error {
  override readonly name = 'ShardingRequiredError';
  readonly closeCode = 4011;
}

/** Discord's bound: a session (shard) holds at most 2,500 guilds. */
export const DEFAULT_MAX_GUILDS_PER_SHARD = 2_500;

export interface GrpcGuildDirectoryOptions {
  client: GuildClient;
  tracker: InterestTracker;
  /** The event applier: records a user's joins and leaves while READY is in flight, replays them after. */
  membership: Pick<EventApplier, 'recordMembership' | 'replay'>;
  sync: () => Promise<void>;
  timeoutMs: number;
  logger: LinkLogger;
  /** More guilds than this on one shard closes the connection with 4011 (default 2,500). */
  maxGuildsPerShard?: number;
}

export class GrpcGuildDirectory implements GuildDirectory {
  readonly #options: GrpcGuildDirectoryOptions;

  constructor(options: GrpcGuildDirectoryOptions) {
    this.#options = options;
  }

  async readyGuilds(userId: bigint, [shardId, shardCount]: readonly [number, number], options: ReadyGuildsOptions = {}): Promise<GuildSnapshot[]> {
    const { client, tracker, membership, sync, timeoutMs, logger } = this.#options;
    const user = userId.toString();
    // Held until the session is registered (it then holds them itself) or gave up. The user scope
    // is in effect before the guilds are read, so a guild joined meanwhile is streamed (recorded,
    // replayed to the session once registered) rather than missed.
    const releaseUser = tracker.hold([interestKey('u', user, user)]);
    const recording = membership.recordMembership(userId);
    let guilds: GuildSnapshot[];
    try {
      await sync();
      const response = await client.getUserGuilds({ userId: user, shardId, shardCount, largeThreshold: options.largeThreshold ?? 50 }, { timeoutMs });
      guilds = response.guilds.map((guild) => ({ id: guild.guildId, payload: JSON.parse(guild.payloadJson) as Record<string, unknown> }));
    } catch (error) {
      releaseUser();
      recording.stop();
      logger.warn({ userId: user, err: error }, 'GetUserGuilds failed: READY refused');
      throw new GuildDirectoryError('the guild service did not answer GetUserGuilds', { cause: error });
    }
    const max = this.#options.maxGuildsPerShard ?? DEFAULT_MAX_GUILDS_PER_SHARD;
    if (guilds.length > max) {
      releaseUser();
      recording.stop();
      throw new ShardingRequiredError(`${guilds.length} guilds on shard [${shardId}, ${shardCount}]: at most ${max} per session`);
    }
    const releaseGuilds = tracker.hold(guilds.map((guild) => interestKey('g', guild.id, user)));
    try {
      await sync();
    } finally {
      // The session registers within the same turn as this resolves; release after it did.
      setImmediate(() => {
        releaseUser();
        releaseGuilds();
        membership.replay(recording.stop());
      });
    }
    return guilds;
  }

  syncInterests(): Promise<void> {
    return this.#options.sync().catch(() => undefined);
  }
}
