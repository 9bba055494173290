// Starts the gateway service in a service context: its event log and its gRPC API. The WebSocket edge (Gateway v10) is issue 3.
import * as path from 'node:path';
import { gatewayV1 } from '@switchboard/proto';
import { implement, openEventLog, openServiceDatabase, serve } from '@switchboard/runtime';
import type { Database, EventLog, RunningService, ServiceContext } from '@switchboard/runtime';
import { createGatewayAccess } from './auth/access';
import type { GatewayAccess } from './auth/access';
import { accessSettings } from './auth/access';
import { edgePartsFromAccess, startGatewayEdge } from './transport/edge';
import type { GatewayEdge } from './transport/edge';

/** The service's own SQL migrations (resolved the same from src/ under jest and from dist/). */
export const GATEWAY_MIGRATIONS_DIR = path.resolve(__dirname, '../migrations');

export interface GatewayDependencies {
  /** An event log shared with other services in this process (`make dev`); else one of the run mode. */
  eventLog?: EventLog;
}

export interface RunningGateway extends RunningService {
  readonly eventLog: EventLog;
  readonly database: Database;
  /** Authentication, discovery REST and limits (auth/access.ts). */
  readonly access: GatewayAccess;
  /** The Gateway v10 WebSocket edge: sessions, fan-out registry, public server (transport/edge.ts). */
  readonly edge: GatewayEdge;
}

export async function startGateway(context: ServiceContext, deps: GatewayDependencies = {}): Promise<RunningGateway> {
  const database = await openServiceDatabase(context, GATEWAY_MIGRATIONS_DIR);
  const access = createGatewayAccess(context, database);
  const eventLog = openEventLog(context, deps.eventLog);
  const running = await serve(context, {
    services: [implement(gatewayV1.GatewayService, { describe: async () => ({ instance: context.instance }), ...access.adminHandlers })],
    readiness: { database: async () => (await database.query('SELECT 1 AS ok')).rowCount === 1 },
  });
  // Started after serve(): its shutdown step (drain the WebSockets) then runs before the others.
  const edge = await startGatewayEdge(context, edgePartsFromAccess(access, accessSettings(context)));
  return { ...running, eventLog, database, access, edge };
}
