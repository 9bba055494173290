// The little the fan-out needs of a guild's in-memory state (services/guild/src/state's GuildState
// satisfies it), and a cache of the states of the guilds this instance owns.
import { partitionFor } from '@switchboard/runtime';
import type { OverwriteView } from '@switchboard/runtime';
import type { GuildState, GuildStateLoader } from '../state/guild-state';

export interface ScopeState {
  /** Whether the user is a member who may view the channel (VIEW_CHANNEL). */
  canView(userId: bigint, channelId: bigint): boolean;
  isMember(userId: bigint): boolean;
  /** How many members the guild has (large guilds treat passive sessions differently). */
  memberCount(): number;
  /** The channel's permission overwrites (its member list's visibility); undefined when unknown. */
  channelOverwrites(channelId: bigint): Iterable<OverwriteView> | undefined;
  /** Applies a state-changing dispatch; others are ignored. Idempotent (events may be redelivered). */
  apply(type: string, payload: Record<string, unknown>): void;
}

export interface ScopeStateLoader {
  /** The guild's state from the database; undefined when the guild does not exist. */
  load(guildId: bigint): Promise<ScopeState | undefined>;
}

// Compile-time conformance: the service's GuildState and its loader fit these ports.
type Holds<T extends true> = T;
export type GuildStateFitsScopeState = Holds<GuildState extends ScopeState ? true : false>;
export type GuildStateLoaderFitsScopeStateLoader = Holds<GuildStateLoader extends ScopeStateLoader ? true : false>;

/**
 * The states of the guilds whose events this instance handles. A missing guild is not cached
 * (its GUILD_CREATE may be consumed before the creating transaction commits), so the next event
 * of that guild loads it again.
 */
export class ScopeStateCache {
  readonly #states = new Map<bigint, ScopeState>();
  /**
   * Loads in flight: the member lists ask for a state outside the partition's record order, and
   * two loads of one guild must not race (the later one would replace a state events were applied to).
   */
  readonly #loading = new Map<bigint, Promise<ScopeState | undefined>>();

  constructor(private readonly loader: ScopeStateLoader) {}

  async get(guildId: bigint): Promise<ScopeState | undefined> {
    const cached = this.#states.get(guildId);
    if (cached) return cached;
    let loading = this.#loading.get(guildId);
    if (!loading) {
      loading = this.loader.load(guildId).finally(() => this.#loading.delete(guildId));
      this.#loading.set(guildId, loading);
    }
    const loaded = await loading;
    if (loaded && !this.#states.has(guildId)) this.#states.set(guildId, loaded);
    return this.#states.get(guildId) ?? loaded;
  }

  /** The cached state, without loading. */
  peek(guildId: bigint): ScopeState | undefined {
    return this.#states.get(guildId);
  }

  has(guildId: bigint): boolean {
    return this.#states.has(guildId);
  }

  drop(guildId: bigint): void {
    this.#states.delete(guildId);
  }

  /** Forgets the guilds whose key `g:<id>` falls in one of `partitions` (ownership moved away). */
  dropPartitions(partitions: ReadonlySet<number>, partitionCount: number): number {
    let dropped = 0;
    for (const guildId of [...this.#states.keys()]) {
      if (partitions.has(partitionFor(`g:${guildId}`, partitionCount))) {
        this.#states.delete(guildId);
        dropped += 1;
      }
    }
    return dropped;
  }

  get size(): number {
    return this.#states.size;
  }
}
