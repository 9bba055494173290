// switchboard-guild: config → dependencies → servers. Everything else lives in the modules.
import { createServiceContext, runMain, startTelemetry } from '@switchboard/runtime';
import { loadGuildConfig } from './config';
import { startGuild } from './start';

runMain('switchboard-guild', async () => {
  const config = loadGuildConfig();
  const telemetry = startTelemetry({ serviceName: 'switchboard-guild' });
  const context = createServiceContext('guild', config);
  context.lifecycle.onShutdown('telemetry', () => telemetry.shutdown());
  await startGuild(context);
  context.lifecycle.installSignalHandlers();
});
