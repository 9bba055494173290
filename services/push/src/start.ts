// Starts the push service in a service context: its database (migrated) and event log, the
// configured apps, the device registry, its gRPC API (Describe and the device RPCs), then the
// delivery pipeline consuming the push requests topic (delivery.ts).
import * as path from 'node:path';
import { pushV1 } from '@switchboard/proto';
import { implement, openEventLog, openServiceDatabase, serve } from '@switchboard/runtime';
import type { Database, EventLog, RunningService, ServiceContext } from '@switchboard/runtime';
import { createPushApi } from './api';
import { PushApps } from './apps';
import type { PushConfig } from './config';
import { startDelivery } from './delivery';
import type { RunningDelivery } from './delivery';
import { DeviceStore } from './registry';

/** The service's own SQL migrations (resolved the same from src/ under jest and from dist/). */
export const PUSH_MIGRATIONS_DIR = path.resolve(__dirname, '../migrations');

export interface PushDependencies {
  /** An event log shared with other services in this process (`make dev`); else one of the run mode. */
  eventLog?: EventLog;
  /** A database owned by the caller (tests); else DATABASE_URL's (PGlite in embedded mode). */
  database?: Database;
}

export interface RunningPush extends RunningService {
  readonly database: Database;
  readonly eventLog: EventLog;
  readonly apps: PushApps;
  readonly devices: DeviceStore;
  readonly delivery: RunningDelivery;
}

type PushSettings = Partial<Pick<PushConfig, 'apps'>>;

export async function startPush(context: ServiceContext, deps: PushDependencies = {}): Promise<RunningPush> {
  const settings = context.config as typeof context.config & PushSettings;
  const database = deps.database ?? (await openServiceDatabase(context, PUSH_MIGRATIONS_DIR));
  const eventLog = openEventLog(context, deps.eventLog);
  const apps = new PushApps(settings.apps ?? []);
  if (apps.all.length === 0) {
    // Not an error: `make dev` and deployments without mobile apps run without any. Registration
    // then answers INVALID_ARGUMENT on app_id, naming PUSH_APPS / PUSH_APPS_FILE. Expected in
    // embedded mode, so only a cluster warns.
    const level = context.config.mode === 'cluster' ? 'warn' : 'info';
    context.logger[level]('no push apps configured (PUSH_APPS or PUSH_APPS_FILE): device registration is refused');
  } else {
    context.logger.info({ apps: apps.all.map((app) => `${app.platform}/${app.appId}`) }, 'push apps configured');
  }
  const devices = new DeviceStore(database);
  const running = await serve(context, {
    services: [implement(pushV1.PushService, { describe: async () => ({ instance: context.instance }), ...createPushApi({ store: devices, apps }) })],
    readiness: { database: async () => (await database.query('SELECT 1 AS ok')).rowCount === 1 },
  });
  // After the API: its shutdown hook runs first (LIFO), draining deliveries before the servers stop.
  const delivery = await startDelivery(context, eventLog, apps, devices);
  return { ...running, database, eventLog, apps, devices, delivery };
}
