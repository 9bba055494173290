// The presence model: what one gateway session reports, and the aggregated presence others see.
// Statuses are Discord's strings; a user's sessions are aggregated in aggregate.ts.

export const PLATFORMS = ['desktop', 'mobile', 'web'] as const;
export type Platform = (typeof PLATFORMS)[number];

/** What a session may report (op 3): `invisible` and `offline` both hide the user. */
export const SESSION_STATUSES = ['online', 'dnd', 'idle', 'invisible', 'offline'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

/** What others see. */
export type VisibleStatus = 'online' | 'dnd' | 'idle' | 'offline';

/** One live gateway session of a user, as last reported. */
export interface SessionPresence {
  sessionId: string;
  gatewayInstanceId: string;
  platform: Platform;
  status: SessionStatus;
  /** The activities array, parsed (compared structurally, since PostgreSQL's JSONB reorders keys). */
  activities: unknown[];
  /** Unix ms since when idle; 0 when not idle. */
  since: number;
  afk: boolean;
  /** Unix ms of the report (the event's `at`): which session spoke last. */
  updatedAt: number;
}

export type ClientStatus = Partial<Record<Platform, VisibleStatus>>;

/** A user's presence as others see it (Discord's PRESENCE_UPDATE fields). */
export interface Presence {
  status: VisibleStatus;
  activities: unknown[];
  clientStatus: ClientStatus;
  since: number;
  afk: boolean;
}

export const OFFLINE: Presence = Object.freeze({ status: 'offline', activities: [], clientStatus: {}, since: 0, afk: false }) as Presence;

export function isPlatform(value: string): value is Platform {
  return (PLATFORMS as readonly string[]).includes(value);
}

export function isSessionStatus(value: string): value is SessionStatus {
  return (SESSION_STATUSES as readonly string[]).includes(value);
}
