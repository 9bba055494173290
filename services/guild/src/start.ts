// Starts the guild service in a service context: its database (migrated) and event log, then its gRPC API. Guild state, permissions and fan-out are issue 4.
import * as path from 'node:path';
import { guildV1 } from '@switchboard/proto';
import { implementPartially, openEventLog, openServiceDatabase, serve } from '@switchboard/runtime';
import type { Database, EventLog, RunningService, ServiceContext } from '@switchboard/runtime';

/** The service's own SQL migrations (resolved the same from src/ under jest and from dist/). */
export const GUILD_MIGRATIONS_DIR = path.resolve(__dirname, '../migrations');

export interface GuildDependencies {
  /** An event log shared with other services in this process (`make dev`); else one of the run mode. */
  eventLog?: EventLog;
}

export interface RunningGuild extends RunningService {
  readonly database: Database;
  readonly eventLog: EventLog;
}

export async function startGuild(context: ServiceContext, deps: GuildDependencies = {}): Promise<RunningGuild> {
  const database = await openServiceDatabase(context, GUILD_MIGRATIONS_DIR);
  const eventLog = openEventLog(context, deps.eventLog);
  const running = await serve(context, {
    services: [implementPartially(guildV1.GuildService, { describe: async () => ({ instance: context.instance }) })],
    readiness: { database: async () => (await database.query('SELECT 1 AS ok')).rowCount === 1 },
  });
  return { ...running, database, eventLog };
}
