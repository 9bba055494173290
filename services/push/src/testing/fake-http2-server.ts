// The HTTP/2 cleartext (h2c) server under both provider fakes: reads each request whole, lets the
// fake decide the answer (after an optional latency), and counts what the tests assert on —
// connections accepted, streams in flight and the most ever in flight at once.
import * as http2 from 'node:http2';
import type { AddressInfo } from 'node:net';

export interface FakeRequest {
  method: string;
  path: string;
  headers: http2.IncomingHttpHeaders;
  body: string;
  /** The connection the request came on. */
  session: http2.Http2Session | undefined;
}

export type FakeAnswer =
  | { status: number; headers?: Record<string, string>; body?: unknown; closeSession?: boolean }
  /** Reset the stream without answering. */
  | 'reset'
  /** Never answer. */
  | 'stall';

export interface FakeServerStats {
  /** Connections accepted since start. */
  sessions: number;
  openSessions: number;
  requests: number;
  activeStreams: number;
  maxActiveStreams: number;
}

export interface FakeHttp2ServerOptions {
  port?: number;
  /** Delay before every answer (ms). */
  latencyMs?: number;
  /** Advertised SETTINGS_MAX_CONCURRENT_STREAMS. */
  maxConcurrentStreams?: number;
  /** Request bodies longer than this are refused with 413 (default 64 KiB). */
  maxBodyBytes?: number;
}

export class FakeHttp2Server {
  latencyMs: number;
  private readonly sessions = new Set<http2.ServerHttp2Session>();
  private readonly counters: FakeServerStats = { sessions: 0, openSessions: 0, requests: 0, activeStreams: 0, maxActiveStreams: 0 };

  private constructor(
    private readonly server: http2.Http2Server,
    readonly url: string,
    options: FakeHttp2ServerOptions,
  ) {
    this.latencyMs = options.latencyMs ?? 0;
  }

  static async start(handler: (request: FakeRequest) => FakeAnswer, options: FakeHttp2ServerOptions = {}): Promise<FakeHttp2Server> {
    const settings: http2.Settings = {};
    if (options.maxConcurrentStreams !== undefined) settings.maxConcurrentStreams = options.maxConcurrentStreams;
    const server = http2.createServer({ settings });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const fake = new FakeHttp2Server(server, `http://127.0.0.1:${port}`, options);
    fake.wire(handler, options.maxBodyBytes ?? 64 * 1024);
    return fake;
  }

  stats(): FakeServerStats {
    return { ...this.counters, openSessions: this.sessions.size };
  }

  /** Sends GOAWAY on every open connection (clients must reconnect). */
  goawayAll(): void {
    for (const session of this.sessions) session.close();
  }

  async close(): Promise<void> {
    for (const session of this.sessions) session.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private wire(handler: (request: FakeRequest) => FakeAnswer, maxBodyBytes: number): void {
    this.server.on('session', (session) => {
      this.counters.sessions += 1;
      this.sessions.add(session);
      session.on('close', () => this.sessions.delete(session));
      session.on('error', () => undefined);
    });
    this.server.on('stream', (stream, headers) => {
      this.counters.requests += 1;
      this.counters.activeStreams += 1;
      this.counters.maxActiveStreams = Math.max(this.counters.maxActiveStreams, this.counters.activeStreams);
      stream.on('close', () => {
        this.counters.activeStreams -= 1;
      });
      stream.on('error', () => undefined);
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= maxBodyBytes) chunks.push(chunk);
      });
      stream.on('end', () => {
        const answer: FakeAnswer =
          size > maxBodyBytes
            ? { status: 413, body: { reason: 'PayloadTooLarge' } }
            : handler({
                method: String(headers[':method']),
                path: String(headers[':path']),
                headers,
                body: Buffer.concat(chunks).toString('utf8'),
                session: stream.session,
              });
        if (this.latencyMs > 0) setTimeout(() => respond(stream, answer), this.latencyMs);
        else respond(stream, answer);
      });
    });
  }
}

function respond(stream: http2.ServerHttp2Stream, answer: FakeAnswer): void {
  if (stream.closed || stream.destroyed) return;
  if (answer === 'stall') return;
  if (answer === 'reset') {
    stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
    return;
  }
  const payload = answer.body === undefined ? '' : JSON.stringify(answer.body);
  const headers: http2.OutgoingHttpHeaders = { ':status': answer.status, ...answer.headers };
  if (payload !== '') headers['content-type'] = 'application/json; charset=UTF-8';
  stream.respond(headers);
  stream.end(payload);
  // GOAWAY after this answer: the client's next request must go to a new connection.
  if (answer.closeSession) stream.session?.close();
}
