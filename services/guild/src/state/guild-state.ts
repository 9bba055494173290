// PLACEHOLDER (lead is writing it): one guild in memory, as its owner instance holds it.
export class GuildState {
  constructor(readonly guildId: bigint) {}
  /** Whether the user is a member who may view the channel (VIEW_CHANNEL, Discord's algorithm). */
  canView(userId: bigint, channelId: bigint): boolean { void userId; void channelId; return false; }
  isMember(userId: bigint): boolean { void userId; return false; }
  /** Applies a state-changing dispatch (Discord payload shape); others are ignored. Idempotent. */
  apply(type: string, payload: Record<string, unknown>): void { void type; void payload; }
}
/** Loads a guild's state from PostgreSQL; undefined when the guild does not exist (or was deleted). */
export interface GuildStateLoader {
  load(guildId: bigint): Promise<GuildState | undefined>;
}
