// A user's presence in Discord's shape for GUILD_CREATE `presences` and GUILD_MEMBERS_CHUNK
// `presences` (a partial PRESENCE_UPDATE: no guild_id), from the presence service's UserPresence.
import type { presenceV1 } from '@switchboard/proto';

export type Platform = 'desktop' | 'mobile' | 'web';

export interface PresencePayload {
  user: { id: string };
  /** online, idle or dnd in presence lists (offline users are left out); offline too in PRESENCE_UPDATE. */
  status: string;
  activities: unknown[];
  /** Only the platforms where the user has a session. */
  client_status: Partial<Record<Platform, string>>;
}

function activitiesOf(json: string): unknown[] {
  // The presence service writes it with JSON.stringify; a broken value costs the activities, not
  // the GUILD_CREATE that carries them.
  try {
    const parsed: unknown = JSON.parse(json);
    return Array.isArray(parsed) ? parsed : [];
  } catch {
    return [];
  }
}

/** The payload of a user who is not offline; undefined for an offline (or invisible) one. */
export function presencePayload(presence: presenceV1.UserPresence): PresencePayload | undefined {
  if (presence.status === '' || presence.status === 'offline') return undefined;
  return presenceShape(presence);
}

/**
 * Discord's shape of any presence, offline included (PRESENCE_UPDATE): only the platforms the user
 * is on. `activities` when the caller already parsed them.
 */
export function presenceShape(presence: presenceV1.UserPresence, activities = activitiesOf(presence.activitiesJson)): PresencePayload {
  const clientStatus: Partial<Record<Platform, string>> = {};
  const platforms = presence.clientStatus;
  if (platforms?.desktop) clientStatus.desktop = platforms.desktop;
  if (platforms?.mobile) clientStatus.mobile = platforms.mobile;
  if (platforms?.web) clientStatus.web = platforms.web;
  return { user: { id: presence.userId }, status: presence.status, activities, client_status: clientStatus };
}
