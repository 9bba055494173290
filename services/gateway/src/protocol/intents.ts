// Gateway intents as data: bit → the dispatches it gates, and which bits are privileged.
// Sources: Discord developer docs ("Gateway Intents") and reference/gateway-protocol.md.

export const GatewayIntent = {
  GUILDS: 1 << 0,
  GUILD_MEMBERS: 1 << 1,
  GUILD_MODERATION: 1 << 2,
  GUILD_EXPRESSIONS: 1 << 3,
  GUILD_INTEGRATIONS: 1 << 4,
  GUILD_WEBHOOKS: 1 << 5,
  GUILD_INVITES: 1 << 6,
  GUILD_VOICE_STATES: 1 << 7,
  GUILD_PRESENCES: 1 << 8,
  GUILD_MESSAGES: 1 << 9,
  GUILD_MESSAGE_REACTIONS: 1 << 10,
  GUILD_MESSAGE_TYPING: 1 << 11,
  DIRECT_MESSAGES: 1 << 12,
  DIRECT_MESSAGE_REACTIONS: 1 << 13,
  DIRECT_MESSAGE_TYPING: 1 << 14,
  MESSAGE_CONTENT: 1 << 15,
  GUILD_SCHEDULED_EVENTS: 1 << 16,
  AUTO_MODERATION_CONFIGURATION: 1 << 20,
  AUTO_MODERATION_EXECUTION: 1 << 21,
  GUILD_MESSAGE_POLLS: 1 << 24,
  DIRECT_MESSAGE_POLLS: 1 << 25,
} as const;

export type GatewayIntentName = keyof typeof GatewayIntent;

export const ALL_INTENTS: number = Object.values(GatewayIntent).reduce((all, bit) => all | bit, 0);

export const PRIVILEGED_INTENTS: number =
  GatewayIntent.GUILD_MEMBERS | GatewayIntent.GUILD_PRESENCES | GatewayIntent.MESSAGE_CONTENT;

/** An intents value a client may send: a non-negative integer with only known bits. */
export function validIntents(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && (value & ~ALL_INTENTS) === 0 && value <= 0x7fffffff;
}

/** Privileged bits asked for but not granted; 0 when the request is allowed. */
export function missingPrivilegedIntents(requested: number, granted: number): number {
  return requested & PRIVILEGED_INTENTS & ~granted;
}

/**
 * Where a dispatch happened decides which intent gates it: the same MESSAGE_CREATE is gated by
 * GUILD_MESSAGES in a guild and DIRECT_MESSAGES in a DM.
 */
export interface IntentGate {
  guild: number;
  direct?: number;
}

const G = GatewayIntent;

/** Event name → the intent bits that gate it. Events absent here are always sent (READY, ...). */
export const EVENT_INTENTS: Readonly<Record<string, IntentGate>> = {
  GUILD_CREATE: { guild: G.GUILDS },
  GUILD_UPDATE: { guild: G.GUILDS },
  GUILD_DELETE: { guild: G.GUILDS },
  GUILD_ROLE_CREATE: { guild: G.GUILDS },
  GUILD_ROLE_UPDATE: { guild: G.GUILDS },
  GUILD_ROLE_DELETE: { guild: G.GUILDS },
  CHANNEL_CREATE: { guild: G.GUILDS },
  CHANNEL_UPDATE: { guild: G.GUILDS },
  CHANNEL_DELETE: { guild: G.GUILDS },
  CHANNEL_PINS_UPDATE: { guild: G.GUILDS, direct: G.DIRECT_MESSAGES },
  THREAD_CREATE: { guild: G.GUILDS },
  THREAD_UPDATE: { guild: G.GUILDS },
  THREAD_DELETE: { guild: G.GUILDS },
  STAGE_INSTANCE_CREATE: { guild: G.GUILDS },
  GUILD_MEMBER_ADD: { guild: G.GUILD_MEMBERS },
  GUILD_MEMBER_UPDATE: { guild: G.GUILD_MEMBERS },
  GUILD_MEMBER_REMOVE: { guild: G.GUILD_MEMBERS },
  THREAD_MEMBERS_UPDATE: { guild: G.GUILD_MEMBERS },
  GUILD_AUDIT_LOG_ENTRY_CREATE: { guild: G.GUILD_MODERATION },
  GUILD_BAN_ADD: { guild: G.GUILD_MODERATION },
  GUILD_BAN_REMOVE: { guild: G.GUILD_MODERATION },
  GUILD_EMOJIS_UPDATE: { guild: G.GUILD_EXPRESSIONS },
  GUILD_STICKERS_UPDATE: { guild: G.GUILD_EXPRESSIONS },
  GUILD_INTEGRATIONS_UPDATE: { guild: G.GUILD_INTEGRATIONS },
  WEBHOOKS_UPDATE: { guild: G.GUILD_WEBHOOKS },
  INVITE_CREATE: { guild: G.GUILD_INVITES },
  INVITE_DELETE: { guild: G.GUILD_INVITES },
  VOICE_STATE_UPDATE: { guild: G.GUILD_VOICE_STATES },
  PRESENCE_UPDATE: { guild: G.GUILD_PRESENCES },
  MESSAGE_CREATE: { guild: G.GUILD_MESSAGES, direct: G.DIRECT_MESSAGES },
  MESSAGE_UPDATE: { guild: G.GUILD_MESSAGES, direct: G.DIRECT_MESSAGES },
  MESSAGE_DELETE: { guild: G.GUILD_MESSAGES, direct: G.DIRECT_MESSAGES },
  MESSAGE_DELETE_BULK: { guild: G.GUILD_MESSAGES },
  MESSAGE_REACTION_ADD: { guild: G.GUILD_MESSAGE_REACTIONS, direct: G.DIRECT_MESSAGE_REACTIONS },
  MESSAGE_REACTION_REMOVE: { guild: G.GUILD_MESSAGE_REACTIONS, direct: G.DIRECT_MESSAGE_REACTIONS },
  MESSAGE_REACTION_REMOVE_ALL: { guild: G.GUILD_MESSAGE_REACTIONS, direct: G.DIRECT_MESSAGE_REACTIONS },
  MESSAGE_REACTION_REMOVE_EMOJI: { guild: G.GUILD_MESSAGE_REACTIONS, direct: G.DIRECT_MESSAGE_REACTIONS },
  TYPING_START: { guild: G.GUILD_MESSAGE_TYPING, direct: G.DIRECT_MESSAGE_TYPING },
  GUILD_SCHEDULED_EVENT_CREATE: { guild: G.GUILD_SCHEDULED_EVENTS },
  GUILD_SCHEDULED_EVENT_UPDATE: { guild: G.GUILD_SCHEDULED_EVENTS },
  GUILD_SCHEDULED_EVENT_DELETE: { guild: G.GUILD_SCHEDULED_EVENTS },
  AUTO_MODERATION_RULE_CREATE: { guild: G.AUTO_MODERATION_CONFIGURATION },
  AUTO_MODERATION_RULE_UPDATE: { guild: G.AUTO_MODERATION_CONFIGURATION },
  AUTO_MODERATION_RULE_DELETE: { guild: G.AUTO_MODERATION_CONFIGURATION },
  AUTO_MODERATION_ACTION_EXECUTION: { guild: G.AUTO_MODERATION_EXECUTION },
  MESSAGE_POLL_VOTE_ADD: { guild: G.GUILD_MESSAGE_POLLS, direct: G.DIRECT_MESSAGE_POLLS },
  MESSAGE_POLL_VOTE_REMOVE: { guild: G.GUILD_MESSAGE_POLLS, direct: G.DIRECT_MESSAGE_POLLS },
};

/** Whether a session with `intents` receives `event` in a guild (`inGuild`) or a DM. */
export function intentAllows(intents: number, event: string, inGuild: boolean): boolean {
  const gate = EVENT_INTENTS[event];
  if (!gate) return true;
  const bit = inGuild ? gate.guild : gate.direct;
  // An event with no DM gate does not occur outside guilds; let it through when it does.
  return bit === undefined || (intents & bit) !== 0;
}

/** Events whose message fields are emptied without MESSAGE_CONTENT. */
export const MESSAGE_CONTENT_EVENTS: ReadonlySet<string> = new Set(['MESSAGE_CREATE', 'MESSAGE_UPDATE']);
export const MESSAGE_CONTENT_FIELDS = ['content', 'embeds', 'attachments', 'components', 'poll'] as const;
