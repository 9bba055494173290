// Each service as its own process: bad configuration fails fast with one line naming the
// variable; good configuration serves health and Describe; SIGTERM stops it with exit code 0.
import { createClient, closeClient } from '@switchboard/runtime';
import { gatewayV1, guildV1, presenceV1, pushV1 } from '@switchboard/proto';
import { builtEntryPoint, startProcess } from '../support/processes';

const SERVICES = [
  { name: 'gateway', prefix: 'GATEWAY', descriptor: gatewayV1.GatewayService },
  { name: 'guild', prefix: 'GUILD', descriptor: guildV1.GuildService },
  { name: 'presence', prefix: 'PRESENCE', descriptor: presenceV1.PresenceService },
  { name: 'push', prefix: 'PUSH', descriptor: pushV1.PushService },
] as const;

describe.each(SERVICES)('$name service process', ({ name, prefix, descriptor }) => {
  const entry = (): string => builtEntryPoint(`services/${name}/dist/main.js`);

  it('exits 2 with one line naming a non-numeric port', async () => {
    const run = startProcess(entry(), { [`${prefix}_GRPC_PORT`]: 'not-a-port', GATEWAY_PUBLIC_PORT: '0' });
    const exited = await run.exited;
    expect(exited.code).toBe(2);
    expect(exited.stderr).toBe(`switchboard-${name}: invalid configuration: ${prefix}_GRPC_PORT must be a port number (got "not-a-port")\n`);
  });

  it('exits 2 naming KAFKA_BROKERS when cluster mode has no Kafka address', async () => {
    const run = startProcess(entry(), { SWITCHBOARD_MODE: 'cluster', DATABASE_URL: 'postgres://x@127.0.0.1:1/x' });
    const exited = await run.exited;
    expect(exited.code).toBe(2);
    expect(exited.stderr.trim()).toBe(`switchboard-${name}: invalid configuration: KAFKA_BROKERS is required when SWITCHBOARD_MODE=cluster`);
  });

  it('serves /healthz and Describe, then stops with exit 0 on SIGTERM', async () => {
    const run = startProcess(entry(), {
      [`${prefix}_GRPC_PORT`]: '0',
      [`${prefix}_HTTP_PORT`]: '0',
      GATEWAY_PUBLIC_PORT: '0',
      SWITCHBOARD_BIND_HOST: '127.0.0.1',
      SWITCHBOARD_INSTANCE_ID: `${name}-test-1`,
    });
    try {
      const line = JSON.parse(await run.waitFor(/"msg":"serving"/));
      const health = await fetch(`http://127.0.0.1:${line.httpPort}/healthz`);
      expect(health.status).toBe(200);
      const client = createClient(descriptor, `127.0.0.1:${line.grpcPort}`);
      try {
        const response = await client.describe({});
        expect(response.instance).toMatchObject({ service: name, instanceId: `${name}-test-1` });
      } finally {
        closeClient(client);
      }
      run.child.kill('SIGTERM');
      const exited = await run.exited;
      expect(exited.code).toBe(0);
      expect(exited.stdout).toContain('"msg":"stopped"');
    } finally {
      run.child.kill('SIGKILL');
    }
  });
});
