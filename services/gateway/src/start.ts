// Starts the gateway service in a service context: its event log and its gRPC API. The WebSocket edge (Gateway v10) is issue 3.
import { gatewayV1 } from '@switchboard/proto';
import { implement, openEventLog, serve } from '@switchboard/runtime';
import type { EventLog, RunningService, ServiceContext } from '@switchboard/runtime';

export interface GatewayDependencies {
  /** An event log shared with other services in this process (`make dev`); else one of the run mode. */
  eventLog?: EventLog;
}

export interface RunningGateway extends RunningService {
  readonly eventLog: EventLog;
}

export async function startGateway(context: ServiceContext, deps: GatewayDependencies = {}): Promise<RunningGateway> {
  const eventLog = openEventLog(context, deps.eventLog);
  const running = await serve(context, {
    services: [implement(gatewayV1.GatewayService, { describe: async () => ({ instance: context.instance }) })],
  });
  return { ...running, eventLog };
}
