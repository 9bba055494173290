// A user's sessions → the one presence others see.
//
// Status order ("most present" wins): online > dnd > idle > offline. A user active anywhere is
// online (desktop idle + phone in hand = online); dnd is present but asked not to be disturbed,
// which still beats being away (idle). `invisible` (and `offline` sent by a client) hides the
// user entirely: one hiding session makes the user offline, with no activities and an empty
// client_status, since showing them through another session would defeat the request.
// client_status has one entry per platform with a session: that platform's best status.
// The "chosen" session is the most recently updated one with the winning status; since/afk come
// from it. Activities come from the most recently updated non-idle session (a stale idle client
// should not mask what the user does on an active one), else from the chosen session.
import type { ClientStatus, Presence, SessionPresence, SessionStatus, VisibleStatus } from './presence';
import { OFFLINE } from './presence';

const RANK: Record<VisibleStatus, number> = { online: 3, dnd: 2, idle: 1, offline: 0 };

function isHidden(status: SessionStatus): boolean {
  return status === 'invisible' || status === 'offline';
}

/** Later first; ties broken by session id so every instance picks the same session. */
function moreRecent(a: SessionPresence, b: SessionPresence): boolean {
  return a.updatedAt !== b.updatedAt ? a.updatedAt > b.updatedAt : a.sessionId > b.sessionId;
}

function mostRecent(sessions: readonly SessionPresence[]): SessionPresence | undefined {
  let best: SessionPresence | undefined;
  for (const s of sessions) if (!best || moreRecent(s, best)) best = s;
  return best;
}

export function aggregatePresence(sessions: Iterable<SessionPresence>): Presence {
  const all = [...sessions];
  if (all.length === 0 || all.some((s) => isHidden(s.status))) return OFFLINE;
  const visible = all as (SessionPresence & { status: VisibleStatus })[];
  const clientStatus: ClientStatus = {};
  let top: VisibleStatus = 'offline';
  for (const s of visible) {
    const current = clientStatus[s.platform];
    if (current === undefined || RANK[s.status] > RANK[current]) clientStatus[s.platform] = s.status;
    if (RANK[s.status] > RANK[top]) top = s.status;
  }
  const chosen = mostRecent(visible.filter((s) => s.status === top))!;
  const active = mostRecent(visible.filter((s) => s.status !== 'idle')) ?? chosen;
  return { status: top, activities: active.activities, clientStatus, since: chosen.since, afk: chosen.afk };
}

/** Whether two presences look the same to others (identical consecutive presences are not sent). */
export function samePresence(a: Presence, b: Presence): boolean {
  return (
    a.status === b.status &&
    a.since === b.since &&
    a.afk === b.afk &&
    a.clientStatus.desktop === b.clientStatus.desktop &&
    a.clientStatus.mobile === b.clientStatus.mobile &&
    a.clientStatus.web === b.clientStatus.web &&
    canonicalJson(a.activities) === canonicalJson(b.activities)
  );
}

/** JSON with object keys sorted, so values equal as JSON compare equal whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(v as Record<string, unknown>).sort()) sorted[key] = (v as Record<string, unknown>)[key];
    return sorted;
  });
}
