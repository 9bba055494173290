import { credentials, makeGenericClientConstructor } from '@grpc/grpc-js';
import type { Client, ServiceError } from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import { startServer } from './__tests__/echo-fixture';
import type { RunningServer } from './__tests__/echo-fixture';

const HealthClient = makeGenericClientConstructor(healthService, 'Health');
type CheckFn = (request: { service: string }, callback: (error: ServiceError | null, response?: { status: string }) => void) => void;

function check(client: Client, service: string): Promise<string> {
  return new Promise((resolve, reject) => {
    (client as unknown as { check: CheckFn }).check({ service }, (error, response) => {
      if (error !== null) reject(error);
      else resolve(response?.status ?? 'missing');
    });
  });
}

describe('grpc – health (grpc.health.v1)', () => {
  let running: RunningServer;
  let client: Client;

  beforeAll(async () => {
    running = await startServer();
    client = new HealthClient(running.address, credentials.createInsecure());
  });
  afterAll(() => {
    client.close();
    running.stop();
  });

  it('answers NOT_SERVING before the process is ready', async () => {
    await expect(check(client, '')).resolves.toBe('NOT_SERVING');
  });

  it('answers SERVING for the server and each service once ready, NOT_SERVING after flipping back', async () => {
    running.health.setServing(true);
    await expect(check(client, '')).resolves.toBe('SERVING');
    await expect(check(client, 'switchboard.testing.v1.EchoService')).resolves.toBe('SERVING');

    running.health.setServing(false);
    await expect(check(client, '')).resolves.toBe('NOT_SERVING');
    await expect(check(client, 'switchboard.testing.v1.EchoService')).resolves.toBe('NOT_SERVING');
  });

  it('answers NOT_FOUND for a service the server does not serve', async () => {
    await expect(check(client, 'switchboard.nope.v1.NopeService')).rejects.toMatchObject({ code: 5 });
  });
});
