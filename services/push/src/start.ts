// Starts the push service in a service context: its database (migrated) and event log, then its gRPC API. The device registry and delivery pipeline are issue 6.
import * as path from 'node:path';
import { pushV1 } from '@switchboard/proto';
import { implement, openEventLog, openServiceDatabase, serve } from '@switchboard/runtime';
import type { Database, EventLog, RunningService, ServiceContext } from '@switchboard/runtime';

/** The service's own SQL migrations (resolved the same from src/ under jest and from dist/). */
export const PUSH_MIGRATIONS_DIR = path.resolve(__dirname, '../migrations');

export interface PushDependencies {
  /** An event log shared with other services in this process (`make dev`); else one of the run mode. */
  eventLog?: EventLog;
}

export interface RunningPush extends RunningService {
  readonly database: Database;
  readonly eventLog: EventLog;
}

export async function startPush(context: ServiceContext, deps: PushDependencies = {}): Promise<RunningPush> {
  const database = await openServiceDatabase(context, PUSH_MIGRATIONS_DIR);
  const eventLog = openEventLog(context, deps.eventLog);
  const running = await serve(context, {
    services: [implement(pushV1.PushService, { describe: async () => ({ instance: context.instance }) })],
    readiness: { database: async () => (await database.query('SELECT 1 AS ok')).rowCount === 1 },
  });
  return { ...running, database, eventLog };
}
