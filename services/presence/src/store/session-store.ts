// The presence tables in PostgreSQL: live sessions per user and the last announced presence.
// Owners write through it before a record's offset commits; GetPresences reads it on any instance.
// presence_announced doubles as the outbox of changes not yet delivered to the guilds (0003).
import type { Queryable } from '@switchboard/runtime';
import type { ClientStatus, Presence, SessionPresence, VisibleStatus } from '../aggregate';
import { OFFLINE } from '../aggregate';

interface SessionRow {
  user_id: bigint;
  session_id: string;
  gateway_instance_id: string;
  platform: SessionPresence['platform'];
  status: SessionPresence['status'];
  activities: unknown;
  since: bigint;
  afk: boolean;
  updated_at: Date;
}

interface AnnouncedRow {
  status: VisibleStatus;
  activities: unknown;
  client_status: unknown;
  since: bigint;
  afk: boolean;
}

const SESSION_COLUMNS = 'user_id, session_id, gateway_instance_id, platform, status, activities, since, afk, updated_at';

function toSession(row: SessionRow): SessionPresence {
  return {
    sessionId: row.session_id,
    gatewayInstanceId: row.gateway_instance_id,
    platform: row.platform,
    status: row.status,
    activities: Array.isArray(row.activities) ? row.activities : [],
    since: Number(row.since),
    afk: row.afk,
    updatedAt: row.updated_at.getTime(),
  };
}

export class SessionStore {
  constructor(private readonly db: Queryable) {}

  /** The live sessions of one user. */
  async sessionsOf(userId: bigint): Promise<SessionPresence[]> {
    const { rows } = await this.db.query<SessionRow>(`SELECT ${SESSION_COLUMNS} FROM presence_sessions WHERE user_id = $1`, [userId]);
    return rows.map(toSession);
  }

  /** The live sessions of many users in one query; users without a session are absent. */
  async sessionsOfMany(userIds: readonly bigint[]): Promise<Map<bigint, SessionPresence[]>> {
    const { rows } = await this.db.query<SessionRow>(`SELECT ${SESSION_COLUMNS} FROM presence_sessions WHERE user_id = ANY($1)`, [userIds]);
    const byUser = new Map<bigint, SessionPresence[]>();
    for (const row of rows) {
      const list = byUser.get(row.user_id) ?? [];
      list.push(toSession(row));
      byUser.set(row.user_id, list);
    }
    return byUser;
  }

  /** `partition`: the session topic partition of the user (lease expiry deletes by partition). */
  async upsertSession(userId: bigint, s: SessionPresence, partition: number): Promise<void> {
    await this.db.query(
      `INSERT INTO presence_sessions (${SESSION_COLUMNS}, partition) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (user_id, session_id) DO UPDATE SET gateway_instance_id = EXCLUDED.gateway_instance_id,
         platform = EXCLUDED.platform, status = EXCLUDED.status, activities = EXCLUDED.activities,
         since = EXCLUDED.since, afk = EXCLUDED.afk, updated_at = EXCLUDED.updated_at, partition = EXCLUDED.partition`,
      [userId, s.sessionId, s.gatewayInstanceId, s.platform, s.status, JSON.stringify(s.activities), BigInt(s.since), s.afk, new Date(s.updatedAt), partition],
    );
  }

  /** Deletes a gateway's sessions in the given partitions; the users who had one (once each). */
  async deleteGatewaySessions(gatewayInstanceId: string, partitions: readonly number[]): Promise<bigint[]> {
    const { rows } = await this.db.query<{ user_id: bigint }>(
      'DELETE FROM presence_sessions WHERE gateway_instance_id = $1 AND partition = ANY($2) RETURNING user_id',
      [gatewayInstanceId, partitions],
    );
    return [...new Set(rows.map((row) => row.user_id))];
  }

  /** The gateways holding sessions in the given partitions. */
  async gatewaysIn(partitions: readonly number[]): Promise<string[]> {
    const { rows } = await this.db.query<{ gateway_instance_id: string }>(
      'SELECT DISTINCT gateway_instance_id FROM presence_sessions WHERE partition = ANY($1)',
      [partitions],
    );
    return rows.map((row) => row.gateway_instance_id);
  }

  async deleteSession(userId: bigint, sessionId: string): Promise<void> {
    await this.db.query('DELETE FROM presence_sessions WHERE user_id = $1 AND session_id = $2', [userId, sessionId]);
  }

  /** The last presence announced for the user (offline when none). */
  async announcedOf(userId: bigint): Promise<Presence> {
    const { rows } = await this.db.query<AnnouncedRow>(
      'SELECT status, activities, client_status, since, afk FROM presence_announced WHERE user_id = $1',
      [userId],
    );
    const row = rows[0];
    return row ? toPresence(row) : OFFLINE;
  }

  /**
   * Records a change as announced and pending delivery (the outbox row); returns its revision.
   * The offline baseline keeps a row until its delivery clears it.
   */
  async setAnnounced(userId: bigint, p: Presence, partition: number): Promise<bigint> {
    const { rows } = await this.db.query<{ revision: bigint }>(
      `INSERT INTO presence_announced (user_id, status, activities, client_status, since, afk, pending, partition, revision)
       VALUES ($1, $2, $3, $4, $5, $6, true, $7, 1)
       ON CONFLICT (user_id) DO UPDATE SET status = EXCLUDED.status, activities = EXCLUDED.activities,
         client_status = EXCLUDED.client_status, since = EXCLUDED.since, afk = EXCLUDED.afk, pending = true,
         partition = EXCLUDED.partition, revision = presence_announced.revision + 1
       RETURNING revision`,
      [userId, p.status, JSON.stringify(p.activities), JSON.stringify(p.clientStatus), BigInt(p.since), p.afk, partition],
    );
    return BigInt(rows[0]!.revision);
  }

  /** The changes delivered: clears `pending` of exactly those revisions, and drops delivered offline rows. */
  async markDelivered(entries: readonly { userId: bigint; revision: bigint }[]): Promise<void> {
    if (entries.length === 0) return;
    await this.db.query(
      `WITH delivered AS (SELECT * FROM unnest($1::bigint[], $2::bigint[]) AS d(user_id, revision)),
       cleared AS (
         UPDATE presence_announced a SET pending = false FROM delivered d
         WHERE a.user_id = d.user_id AND a.revision = d.revision AND a.status <> 'offline'
       )
       DELETE FROM presence_announced a USING delivered d
       WHERE a.user_id = d.user_id AND a.revision = d.revision AND a.status = 'offline'`,
      [entries.map((e) => e.userId), entries.map((e) => e.revision)],
    );
  }

  /** The changes recorded but not delivered yet, of the users of these partitions. */
  async pendingIn(partitions: readonly number[]): Promise<PendingAnnouncement[]> {
    const { rows } = await this.db.query<AnnouncedRow & { user_id: bigint; revision: bigint; partition: number }>(
      `SELECT user_id, status, activities, client_status, since, afk, revision, partition
       FROM presence_announced WHERE pending AND partition = ANY($1)`,
      [partitions],
    );
    return rows.map((row) => ({ userId: BigInt(row.user_id), presence: toPresence(row), revision: BigInt(row.revision), partition: row.partition }));
  }
}

export interface PendingAnnouncement {
  userId: bigint;
  presence: Presence;
  revision: bigint;
  partition: number;
}

function toPresence(row: AnnouncedRow): Presence {
  return {
    status: row.status,
    activities: Array.isArray(row.activities) ? row.activities : [],
    clientStatus: (row.client_status ?? {}) as ClientStatus,
    since: Number(row.since),
    afk: row.afk,
  };
}
