// Starts the presence service in a service context: its event log and its gRPC API. Presence aggregation, leases and fan-out are issue 5.
import { presenceV1 } from '@switchboard/proto';
import { implementPartially, openEventLog, serve } from '@switchboard/runtime';
import type { EventLog, RunningService, ServiceContext } from '@switchboard/runtime';

export interface PresenceDependencies {
  /** An event log shared with other services in this process (`make dev`); else one of the run mode. */
  eventLog?: EventLog;
}

export interface RunningPresence extends RunningService {
  readonly eventLog: EventLog;
}

export async function startPresence(context: ServiceContext, deps: PresenceDependencies = {}): Promise<RunningPresence> {
  const eventLog = openEventLog(context, deps.eventLog);
  const running = await serve(context, {
    services: [implementPartially(presenceV1.PresenceService, { describe: async () => ({ instance: context.instance }) })],
  });
  return { ...running, eventLog };
}
