import * as http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { waitFor } from '../../../../test/support/wait';
import { Http2RequestError, Http2SessionPool } from './http2-pool';

/** An h2c server that holds every answer until release() (or answers at once when not holding). */
class GatedServer {
  active = 0;
  maxActive = 0;
  sessions = 0;
  hold = true;
  private held: http2.ServerHttp2Stream[] = [];
  private readonly open = new Set<http2.ServerHttp2Session>();

  private constructor(
    private readonly server: http2.Http2Server,
    readonly url: string,
  ) {}

  static async start(settings: http2.Settings = {}): Promise<GatedServer> {
    const server = http2.createServer({ settings });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const gated = new GatedServer(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('session', (session) => {
      gated.sessions += 1;
      gated.open.add(session);
      session.on('close', () => gated.open.delete(session));
      session.on('error', () => undefined);
    });
    server.on('stream', (stream) => {
      gated.active += 1;
      gated.maxActive = Math.max(gated.maxActive, gated.active);
      stream.on('close', () => (gated.active -= 1));
      stream.on('error', () => undefined);
      stream.resume();
      stream.on('end', () => (gated.hold ? gated.held.push(stream) : answer(stream)));
    });
    return gated;
  }

  release(): void {
    this.hold = false;
    for (const stream of this.held.splice(0)) answer(stream);
  }

  goaway(): void {
    for (const session of this.open) session.close();
  }

  async close(): Promise<void> {
    for (const session of this.open) session.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function answer(stream: http2.ServerHttp2Stream): void {
  if (stream.destroyed) return;
  stream.respond({ ':status': 200 });
  stream.end('ok');
}

describe('Http2SessionPool', () => {
  let server: GatedServer;
  let pool: Http2SessionPool | undefined;

  afterEach(async () => {
    await pool?.close();
    pool = undefined;
    await server.close();
  });

  test('runs at most maxSessions × maxStreamsPerSession streams and queues the rest', async () => {
    server = await GatedServer.start();
    pool = new Http2SessionPool({ origin: server.url, maxSessions: 2, maxStreamsPerSession: 3 });
    const responses = Array.from({ length: 10 }, () => pool!.request({ path: '/x', body: '{}' }));
    await waitFor(() => server.active === 6, 10_000, 'six streams at the server');
    expect(pool.stats()).toMatchObject({ sessions: 2, activeStreams: 6, waiting: 4 });
    server.release();
    const done = await Promise.all(responses);
    expect(done.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(done[0]!.body).toBe('ok');
    expect(server.maxActive).toBe(6);
    expect(server.sessions).toBe(2);
  });

  test('sends header values other than ASCII as their UTF-8 octets, and refuses CR, LF and NUL without sending', async () => {
    const seen: string[] = [];
    const echo = http2.createServer();
    echo.on('stream', (stream, headers) => {
      seen.push(String(headers['apns-collapse-id'])); // node:http2 reads field octets as latin1
      stream.respond({ ':status': 200 });
      stream.end();
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    const local = new Http2SessionPool({ origin: `http://127.0.0.1:${(echo.address() as AddressInfo).port}` });
    try {
      await local.request({ path: '/x', headers: { 'apns-collapse-id': 'é-chat ✓' } });
      expect(Buffer.from(seen[0]!, 'latin1').toString('utf8')).toBe('é-chat ✓');
      await expect(local.request({ path: '/x', headers: { 'apns-collapse-id': 'a\r\nx-injected: 1' } })).rejects.toMatchObject({ kind: 'invalid' });
      expect(seen).toHaveLength(1);
    } finally {
      await local.close();
      await new Promise<void>((resolve) => echo.close(() => resolve()));
    }
  });

  test('keeps using one session while it has room', async () => {
    server = await GatedServer.start();
    server.release();
    pool = new Http2SessionPool({ origin: server.url, maxSessions: 4, maxStreamsPerSession: 50 });
    for (let round = 0; round < 5; round += 1) {
      await Promise.all(Array.from({ length: 40 }, () => pool!.request({ path: '/x' })));
    }
    expect(server.sessions).toBe(1);
    expect(pool.stats().sessionsOpened).toBe(1);
  });

  test("never exceeds the server's SETTINGS_MAX_CONCURRENT_STREAMS", async () => {
    server = await GatedServer.start({ maxConcurrentStreams: 2 });
    pool = new Http2SessionPool({ origin: server.url, maxSessions: 1, maxStreamsPerSession: 100 });
    // The server's limit arrives with its SETTINGS on the first exchange.
    server.hold = false;
    await pool.request({ path: '/warm-up' });
    server.hold = true;
    const responses = Array.from({ length: 6 }, () => pool!.request({ path: '/x' }));
    await waitFor(() => server.active === 2, 10_000, 'two streams at the server');
    expect(pool.stats().waiting).toBe(4);
    server.release();
    await Promise.all(responses);
    expect(server.maxActive).toBe(2);
  });

  test('opens a new session after the server sends GOAWAY', async () => {
    server = await GatedServer.start();
    server.release();
    pool = new Http2SessionPool({ origin: server.url, maxSessions: 1 });
    expect((await pool.request({ path: '/a' })).status).toBe(200);
    server.goaway();
    await waitFor(() => pool!.stats().sessions === 0, 10_000, 'the session retired');
    expect((await pool.request({ path: '/b' })).status).toBe(200);
    expect(pool.stats().sessionsOpened).toBe(2);
    expect(server.sessions).toBe(2);
  });

  test('fails a request with no answer within the timeout, and frees its slot', async () => {
    server = await GatedServer.start();
    pool = new Http2SessionPool({ origin: server.url, maxSessions: 1, maxStreamsPerSession: 1, requestTimeoutMs: 100 });
    const error = await pool.request({ path: '/slow' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Http2RequestError);
    expect((error as Http2RequestError).kind).toBe('timeout');
    server.release();
    expect((await pool.request({ path: '/next' })).status).toBe(200);
  });

  test('an aborted waiter leaves the queue; a full queue refuses at once', async () => {
    server = await GatedServer.start();
    pool = new Http2SessionPool({ origin: server.url, maxSessions: 1, maxStreamsPerSession: 1, maxWaiting: 1 });
    const first = pool.request({ path: '/1' });
    const controller = new AbortController();
    const aborted = pool.request({ path: '/2', signal: controller.signal }).catch((e: unknown) => e);
    const refused = await pool.request({ path: '/3' }).catch((e: unknown) => e);
    expect((refused as Http2RequestError).kind).toBe('saturated');
    controller.abort();
    expect(((await aborted) as Http2RequestError).kind).toBe('aborted');
    expect(pool.stats().waiting).toBe(0);
    server.release();
    expect((await first).status).toBe(200);
  });

  test('a connection refused is a network error, not a crash', async () => {
    server = await GatedServer.start();
    const url = server.url;
    await server.close();
    pool = new Http2SessionPool({ origin: url, requestTimeoutMs: 2000 });
    const error = await pool.request({ path: '/x' }).catch((e: unknown) => e);
    expect((error as Http2RequestError).kind).toBe('network');
    server = await GatedServer.start();
  });
});
