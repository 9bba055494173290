// `make dev` entry point: start the mesh, print where everything is, stop on SIGTERM/SIGINT.
import { runMain, startTelemetry } from '@switchboard/runtime';
import { describeMesh, startMesh } from './mesh';

runMain('switchboard-dev', async () => {
  const telemetry = startTelemetry({ serviceName: 'switchboard-dev' });
  const mesh = await startMesh(process.env, { telemetry });
  mesh.lifecycle.installSignalHandlers();
  process.stdout.write(`\n${describeMesh(mesh)}\n\n`);
});
