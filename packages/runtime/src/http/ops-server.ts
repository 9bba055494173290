// The operations HTTP endpoint every service exposes beside gRPC: /healthz (the process is alive),
// /readyz (its dependencies are ready: Kubernetes sends traffic only then) and /metrics (Prometheus).
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from 'pino';

/** A named readiness check; it throws or returns false when not ready. */
export type ReadinessCheck = () => boolean | Promise<boolean>;

export interface OpsServerOptions {
  host: string;
  port: number;
  registry: Registry;
  logger?: Logger;
  /** Checks run for /readyz; all must pass. */
  readiness?: Record<string, ReadinessCheck>;
}

export interface OpsServer {
  readonly port: number;
  readonly url: string;
  /** Makes /readyz fail from now on (first step of a graceful shutdown). */
  markNotReady(): void;
  close(): Promise<void>;
}

async function runChecks(checks: Record<string, ReadinessCheck>): Promise<{ ready: boolean; checks: Record<string, string> }> {
  const results: Record<string, string> = {};
  let ready = true;
  await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      try {
        const ok = await check();
        results[name] = ok ? 'ok' : 'not ready';
        ready &&= ok;
      } catch (error) {
        results[name] = `error: ${(error as Error).message}`;
        ready = false;
      }
    }),
  );
  return { ready, checks: results };
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}

export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  let draining = false;
  const checks = options.readiness ?? {};
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: 'method not allowed' });
    if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (path === '/readyz') {
      if (draining) return sendJson(res, 503, { status: 'draining' });
      void runChecks(checks).then(({ ready, checks: results }) =>
        sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', checks: results }),
      );
      return;
    }
    if (path === '/metrics') {
      options.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': options.registry.contentType }).end(text),
        (error: Error) => {
          options.logger?.error({ err: error }, 'metrics collection failed');
          sendJson(res, 500, { error: 'metrics collection failed' });
        },
      );
      return;
    }
    sendJson(res, 404, { error: 'not found' });
  });
  // Probes must not keep a draining process alive.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  return {
    port,
    url: `http://${host}:${port}`,
    markNotReady: () => {
      draining = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
