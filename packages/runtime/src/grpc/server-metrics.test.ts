import { Registry } from 'prom-client';
import { implement } from './add-service';
import { closeClient, createClient } from './client';
import { InvalidArgumentError } from './errors';
import { createGrpcServer, listen } from './server';
import { grpcServerMetrics } from './server-metrics';
import { EchoService, echoImpl, memoryLogger } from './__tests__/echo-fixture';

describe('grpc – server metrics', () => {
  it('counts started and handled calls by method and status code, and times them', async () => {
    const registry = new Registry();
    const service = implement(EchoService, {
      ...echoImpl,
      echo: async (request) => {
        if (request.text === '') throw new InvalidArgumentError('text', 'must not be empty');
        return { text: request.text };
      },
    });
    const server = createGrpcServer({ services: [service], logger: memoryLogger(), observer: grpcServerMetrics(registry) });
    const port = await listen(server, '127.0.0.1', 0);
    const client = createClient(EchoService, `127.0.0.1:${port}`);
    try {
      await client.echo({ text: 'hi' });
      await client.echo({ text: 'again' });
      await expect(client.echo({ text: '' })).rejects.toThrow(InvalidArgumentError);
      const text = await registry.metrics();
      const labels = 'grpc_service="switchboard.testing.v1.EchoService",grpc_method="Echo",grpc_type="unary"';
      expect(text).toContain(`grpc_server_started_total{${labels}} 3`);
      expect(text).toContain(`grpc_server_handled_total{${labels},grpc_code="OK"} 2`);
      expect(text).toContain(`grpc_server_handled_total{${labels},grpc_code="INVALID_ARGUMENT"} 1`);
      expect(text).toContain(`grpc_server_handling_seconds_count{${labels}} 3`);
    } finally {
      closeClient(client);
      server.forceShutdown();
    }
  });
});
