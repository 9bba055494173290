// Test fixture: a real server on 127.0.0.1:0 serving the test-only EchoService
// (proto/switchboard/testing/v1/echo.proto), which has one RPC of every shape.
import type { Server } from '@grpc/grpc-js';
import { EchoService } from '../../../../proto/src/gen/switchboard/testing/v1/echo_pb';
import { implement } from '../add-service';
import type { ServiceRegistration } from '../add-service';
import { GrpcHealth } from '../health';
import type { GrpcLogger } from '../logger';
import { createGrpcServer, listen } from '../server';
import type { ServiceImpl } from '../service-types';

export { EchoService };

export const echoImpl: ServiceImpl<typeof EchoService> = {
  echo: async (request) => ({ text: request.text }),
  async *echoServerStream(request) {
    for (let index = 0; index < request.repeat; index += 1) yield { text: request.text, index };
  },
  echoClientStream: async (requests) => {
    const texts: string[] = [];
    for await (const request of requests) texts.push(request.text);
    return { text: texts.join(' '), count: texts.length };
  },
  async *echoBidiStream(requests) {
    for await (const request of requests) yield { text: request.text.toUpperCase() };
  },
};

export interface RunningServer {
  readonly server: Server;
  readonly address: string;
  readonly health: GrpcHealth;
  stop(): void;
}

/** A memory logger, so tests can assert what the server logged. */
export function memoryLogger(): GrpcLogger & { errors: Array<Record<string, unknown>> } {
  const errors: Array<Record<string, unknown>> = [];
  return { errors, error: (fields) => errors.push(fields), warn: () => undefined };
}

export async function startServer(
  services: readonly ServiceRegistration[] = [implement(EchoService, echoImpl)],
  logger: GrpcLogger = memoryLogger(),
  port = 0,
): Promise<RunningServer> {
  const health = new GrpcHealth();
  const server = createGrpcServer({ services, health, reflection: true, logger });
  const boundPort = await listen(server, '127.0.0.1', port);
  return { server, address: `127.0.0.1:${boundPort}`, health, stop: () => server.forceShutdown() };
}
