// switchboard-presence: config → dependencies → servers. Everything else lives in the modules.
import { createServiceContext, runMain, startTelemetry } from '@switchboard/runtime';
import { loadPresenceConfig } from './config';
import { startPresence } from './start';

runMain('switchboard-presence', async () => {
  const config = loadPresenceConfig();
  const telemetry = startTelemetry({ serviceName: 'switchboard-presence' });
  const context = createServiceContext('presence', config);
  context.lifecycle.onShutdown('telemetry', () => telemetry.shutdown());
  await startPresence(context);
  context.lifecycle.installSignalHandlers();
});
