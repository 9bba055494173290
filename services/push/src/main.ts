// switchboard-push: config → dependencies → servers. Everything else lives in the modules.
import { createServiceContext, runMain, startTelemetry } from '@switchboard/runtime';
import { loadPushConfig } from './config';
import { startPush } from './start';

runMain('switchboard-push', async () => {
  const config = loadPushConfig();
  const telemetry = startTelemetry({ serviceName: 'switchboard-push' });
  const context = createServiceContext('push', config);
  context.lifecycle.onShutdown('telemetry', () => telemetry.shutdown());
  await startPush(context);
  context.lifecycle.installSignalHandlers();
});
