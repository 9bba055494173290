// The public edge: one http.Server that upgrades any path to a Gateway v10 WebSocket and hands
// other requests to pluggable handlers (GET /api/v10/gateway[/bot] lives in rest/). The query
// (`v`, `encoding`, `compress`) is parsed at upgrade; a bad value is reported the way Discord
// does it: the WebSocket opens and is closed at once with the code (4012 version, 4002 others).
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { codecCloseCode, encodingFor, MAX_CLIENT_FRAME_BYTES, parseGatewayQuery } from '../codec';
import type { CompressionTuning, GatewayQuery } from '../codec';
import { CloseCodes, GatewayOpcode } from '../protocol';
import type { SessionEnvironment } from '../session/environment';
import type { SessionCap } from '../session/ports';
import { refuseUpgrade } from '../limits/session-cap';
import { gatewayUrl } from '../rest/discovery';
import { Session } from '../session/session';
import { Connection } from './connection';
import { GatewaySocket } from './gateway-socket';

/** Answers a request and returns true, or returns false to let the next handler try. */
export type HttpHandler = (req: http.IncomingMessage, res: http.ServerResponse) => boolean | Promise<boolean>;

export interface GatewayServerOptions {
  host?: string;
  /** 0 picks a free port (tests). */
  port: number;
  env: SessionEnvironment;
  cap: SessionCap;
  maxQueuedBytes: number;
  tuning?: CompressionTuning;
  handlers?: HttpHandler[];
  /** READY's resume_gateway_url (GATEWAY_PUBLIC_URL); unset → derived from each upgrade's Host. */
  publicUrl?: string | undefined;
}

export class GatewayServer {
  readonly #options: GatewayServerOptions;
  readonly #http: http.Server;
  readonly #wss: WebSocketServer;
  readonly #handlers: HttpHandler[];
  /** Open sockets; the Connection once the query was accepted. */
  readonly #connections = new Map<WebSocket, Connection | undefined>();
  #draining = false;

  private constructor(options: GatewayServerOptions) {
    this.#options = options;
    this.#handlers = [...(options.handlers ?? [])];
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: MAX_CLIENT_FRAME_BYTES,
      perMessageDeflate: false,
      WebSocket: GatewaySocket,
    });
    this.#http = http.createServer((req, res) => void this.#serveHttp(req, res));
    this.#http.on('upgrade', (req: http.IncomingMessage, socket: Socket, head: Buffer) => this.#upgrade(req, socket, head));
  }

  static async start(options: GatewayServerOptions): Promise<GatewayServer> {
    const server = new GatewayServer(options);
    await new Promise<void>((resolve, reject) => {
      server.#http.once('error', reject);
      server.#http.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
    });
    return server;
  }

  get port(): number {
    return (this.#http.address() as AddressInfo).port;
  }

  get connectionCount(): number {
    return this.#connections.size;
  }

  /** Adds an HTTP handler (tried in order, before the 404). */
  use(handler: HttpHandler): void {
    this.#handlers.push(handler);
  }

  get draining(): boolean {
    return this.#draining;
  }

  /**
   * Drain: refuse new upgrades, then ask each client to reconnect (op 7) and close its connection
   * with 4000 so its session stays resumable (another instance takes it over: handoff/), one
   * connection at a time spread evenly over `windowMs` so the clients do not all come back at
   * once. Resolves when every connection open at the start got its op 7.
   */
  async drain(windowMs = 0): Promise<void> {
    this.#draining = true;
    const targets: Connection[] = [];
    for (const [ws, connection] of this.#connections) {
      if (connection) targets.push(connection);
      else ws.terminate();
    }
    const step = targets.length > 0 ? windowMs / targets.length : 0;
    const start = Date.now();
    for (const [index, connection] of targets.entries()) {
      const wait = start + index * step - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (connection.closing) continue;
      connection.sendPayload({ op: GatewayOpcode.RECONNECT, d: null });
      connection.closeResumable('Server going away; reconnect and resume.');
    }
  }

  async close(): Promise<void> {
    this.#draining = true;
    for (const ws of this.#connections.keys()) ws.terminate();
    this.#wss.close();
    await new Promise<void>((resolve) => this.#http.close(() => resolve()));
  }

  async #serveHttp(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    try {
      for (const handler of this.#handlers) if (await handler(req, res)) return;
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"message": "404: Not Found", "code": 0}');
    } catch {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end('{"message": "500: Internal Server Error", "code": 0}');
    }
  }

  #upgrade(req: http.IncomingMessage, socket: Socket, head: Buffer): void {
    const refusal = this.#draining ? 'draining' : !this.#options.cap.tryAcquire() ? 'session-cap' : undefined;
    if (refusal) {
      this.#options.env.metrics?.upgradesRefused.inc({ reason: refusal });
      refuseUpgrade(socket);
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws, req));
  }

  #accept(ws: WebSocket, req: http.IncomingMessage): void {
    this.#connections.set(ws, undefined);
    let query: GatewayQuery;
    try {
      query = parseGatewayQuery(new URL(req.url ?? '/', 'http://gateway').search);
    } catch (error) {
      ws.once('close', () => this.#released(ws));
      ws.close(codecCloseCode(error) ?? CloseCodes.UNKNOWN_ERROR.code, (error as Error).message.slice(0, 120));
      return;
    }
    const { env, maxQueuedBytes, tuning } = this.#options;
    const connection = new Connection(ws, {
      encoding: encodingFor(query.encoding),
      compression: query.compression,
      maxQueuedBytes,
      metrics: env.metrics,
      ...(tuning ? { tuning } : {}),
      onClosed: () => this.#released(ws),
      resumeGatewayUrl: gatewayUrl(req, this.#options.publicUrl),
    });
    this.#connections.set(ws, connection);
    new Session(env, connection);
  }

  #released(ws: WebSocket): void {
    if (this.#connections.delete(ws)) this.#options.cap.release();
  }
}
