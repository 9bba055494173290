// switchboard-gateway: config → dependencies → servers. Everything else lives in the modules.
import { createServiceContext, runMain, startTelemetry } from '@switchboard/runtime';
import { loadGatewayConfig } from './config';
import { startGateway } from './start';

runMain('switchboard-gateway', async () => {
  const config = loadGatewayConfig();
  const telemetry = startTelemetry({ serviceName: 'switchboard-gateway' });
  const context = createServiceContext('gateway', config);
  context.lifecycle.onShutdown('telemetry', () => telemetry.shutdown());
  await startGateway(context);
  context.lifecycle.installSignalHandlers();
});
