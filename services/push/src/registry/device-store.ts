// The device registry in PostgreSQL (table `devices`, migrations/0001): which provider tokens each
// user has. A token is unique per (platform, app), so registering it again, by anyone, updates the
// one row: a device that changed hands stops getting the previous account's notifications.
import type { Database } from '@switchboard/runtime';
import type { Platform } from '../apps';

/** One registered device. Its (platform, appId, token, locale) is what a provider sends to. */
export interface Device {
  userId: bigint;
  platform: Platform;
  appId: string;
  token: string;
  locale?: string;
  /** When this user registered the token (kept when the same user registers it again). */
  registeredAt: Date;
  /** The last registration (by anyone): the age eviction goes by. */
  updatedAt: Date;
}

export interface DeviceRegistration {
  userId: bigint;
  platform: Platform;
  appId: string;
  token: string;
  locale?: string;
}

export interface DeviceKey {
  platform: Platform;
  appId: string;
  token: string;
}

/**
 * More devices than this for one user means abandoned tokens piling up (reinstalls that never
 * unregistered): the least recently registered go, so one user's fan-out stays bounded.
 */
export const MAX_DEVICES_PER_USER = 25;

interface DeviceRow {
  platform: Platform;
  app_id: string;
  token: string;
  user_id: bigint;
  locale: string | null;
  registered_at: Date;
  updated_at: Date;
}

const COLUMNS = 'platform, app_id, token, user_id, locale, registered_at, updated_at';

function toDevice(row: DeviceRow): Device {
  const device: Device = {
    userId: row.user_id,
    platform: row.platform,
    appId: row.app_id,
    token: row.token,
    registeredAt: row.registered_at,
    updatedAt: row.updated_at,
  };
  if (row.locale !== null) device.locale = row.locale;
  return device;
}

export interface DeviceStoreOptions {
  maxDevicesPerUser?: number;
}

export class DeviceStore {
  private readonly maxDevicesPerUser: number;

  constructor(
    private readonly db: Database,
    options: DeviceStoreOptions = {},
  ) {
    this.maxDevicesPerUser = options.maxDevicesPerUser ?? MAX_DEVICES_PER_USER;
  }

  /** Upserts the token for the user (moving it from whoever had it) and evicts the user's oldest devices past the limit. */
  async register(registration: DeviceRegistration): Promise<Device> {
    const { userId, platform, appId, token, locale } = registration;
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<DeviceRow>(
        `INSERT INTO devices (platform, app_id, token, user_id, locale) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (platform, app_id, token) DO UPDATE SET
           user_id = EXCLUDED.user_id,
           locale = EXCLUDED.locale,
           registered_at = CASE WHEN devices.user_id = EXCLUDED.user_id THEN devices.registered_at ELSE now() END,
           updated_at = now()
         RETURNING ${COLUMNS}`,
        [platform, appId, token, userId, locale ?? null],
      );
      await tx.query(
        `DELETE FROM devices WHERE (platform, app_id, token) IN (
           SELECT platform, app_id, token FROM devices WHERE user_id = $1
           ORDER BY updated_at DESC, registered_at DESC OFFSET $2)`,
        [userId, this.maxDevicesPerUser],
      );
      return toDevice(rows[0]!);
    });
  }

  /**
   * Removes the device; with `userId`, only while that user owns it (a late logout of a previous
   * owner leaves the new owner's registration alone). True when a row was removed.
   */
  async unregister(key: DeviceKey & { userId?: bigint }): Promise<boolean> {
    const { rowCount } = await this.db.query(
      'DELETE FROM devices WHERE platform = $1 AND app_id = $2 AND token = $3 AND ($4::bigint IS NULL OR user_id = $4::bigint)',
      [key.platform, key.appId, key.token, key.userId ?? null],
    );
    return rowCount > 0;
  }

  /** The devices of many users in one query, oldest registration first; users without a device are absent. */
  async devicesOf(userIds: readonly bigint[]): Promise<Map<bigint, Device[]>> {
    const byUser = new Map<bigint, Device[]>();
    if (userIds.length === 0) return byUser;
    const { rows } = await this.db.query<DeviceRow>(
      `SELECT ${COLUMNS} FROM devices WHERE user_id = ANY($1::bigint[]) ORDER BY registered_at, platform, app_id, token`,
      [userIds],
    );
    for (const row of rows) {
      const list = byUser.get(row.user_id) ?? [];
      list.push(toDevice(row));
      byUser.set(row.user_id, list);
    }
    return byUser;
  }

  /** The provider said the token is gone (FCM UNREGISTERED, APNs 410): whoever owns it, it goes. */
  async removeToken(platform: Platform, appId: string, token: string): Promise<boolean> {
    return this.unregister({ platform, appId, token });
  }

  /** All registered devices (a gauge; a full count, so not for hot paths). */
  async count(): Promise<number> {
    const { rows } = await this.db.query<{ count: bigint }>('SELECT count(*) AS count FROM devices');
    return Number(rows[0]!.count);
  }
}
