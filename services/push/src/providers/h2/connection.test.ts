import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http2 from 'node:http2';
import * as https from 'node:https';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { waitFor } from '../../../../../test/support/wait';
import { H2Connection, H2StreamError } from './connection';
import type { H2ConnectionOptions, H2Response } from './connection';

type Handler = (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, body: Buffer) => void;

/** A node:http2 server (nghttp2: the peer our client must interoperate with) that reads each request whole, then calls `handler`. */
class Peer {
  active = 0;
  maxActive = 0;
  readonly sessions = new Set<http2.ServerHttp2Session>();
  readonly aborted: number[] = [];

  private constructor(private readonly server: http2.Http2Server | http2.Http2SecureServer, readonly origin: string) {}

  static async start(handler: Handler, options: { settings?: http2.Settings; tls?: { key: string; cert: string } } = {}): Promise<Peer> {
    const server = options.tls
      ? http2.createSecureServer({ ...options.tls, settings: options.settings ?? {} })
      : http2.createServer({ settings: options.settings ?? {} });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const peer = new Peer(server, `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`);
    server.on('session', (session) => {
      peer.sessions.add(session);
      session.on('close', () => peer.sessions.delete(session));
      session.on('error', () => undefined);
    });
    server.on('stream', (stream, headers) => {
      peer.active += 1;
      peer.maxActive = Math.max(peer.maxActive, peer.active);
      stream.on('close', () => {
        peer.active -= 1;
        if (stream.rstCode === http2.constants.NGHTTP2_CANCEL) peer.aborted.push(stream.id ?? 0);
      });
      stream.on('error', () => undefined);
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => handler(stream, headers, Buffer.concat(chunks)));
    });
    return peer;
  }

  async close(): Promise<void> {
    for (const session of this.sessions) session.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function ask(conn: H2Connection, pathname: string, body?: string, headers: Array<[string, string]> = []): Promise<H2Response> {
  return new Promise((resolve, reject) => {
    conn.request('POST', pathname, headers, body === undefined ? undefined : Buffer.from(body), (error, response) => (error ? reject(error) : resolve(response!)));
  });
}

const echo: Handler = (stream, headers, body) => {
  stream.respond({ ':status': 200, 'content-type': 'application/json', 'x-path': String(headers[':path']), 'x-length': String(body.length) });
  stream.end(JSON.stringify({ path: headers[':path'], auth: headers.authorization ?? null, bytes: body.length }));
};

describe('H2Connection against node:http2 (nghttp2)', () => {
  let peer: Peer | undefined;
  let conn: H2Connection | undefined;

  afterEach(async () => {
    conn?.destroy();
    conn = undefined;
    await peer?.close();
    peer = undefined;
  });

  const connect = (options: Partial<H2ConnectionOptions> = {}) => (conn = new H2Connection({ origin: peer!.origin, ...options }));

  test('sends a request with headers and a body and reads the status, headers and body back', async () => {
    peer = await Peer.start(echo);
    const response = await ask(connect(), '/v1/projects/p/messages:send', '{"message":{}}', [['authorization', 'Bearer abc']]);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.headers['x-length']).toBe('14');
    expect(JSON.parse(response.body.toString())).toEqual({ path: '/v1/projects/p/messages:send', auth: 'Bearer abc', bytes: 14 });
  });

  test("keeps within the peer's SETTINGS_MAX_CONCURRENT_STREAMS and completes every request of a large burst", async () => {
    peer = await Peer.start((stream, headers) => setTimeout(() => echo(stream, headers, Buffer.alloc(0)), 2), { settings: { maxConcurrentStreams: 50 } });
    connect();
    const responses = await Promise.all(Array.from({ length: 2000 }, (_, i) => ask(conn!, `/n/${i}`, `body ${i}`)));
    expect(responses.map((r) => r.headers['x-path'])).toEqual(Array.from({ length: 2000 }, (_, i) => `/n/${i}`));
    expect(peer.maxActive).toBeLessThanOrEqual(50);
  });

  test('sends bodies larger than the flow-control windows and the frame size, byte for byte', async () => {
    let received: Buffer | undefined;
    peer = await Peer.start((stream, headers, body) => {
      received = body;
      echo(stream, headers, body);
    }, { settings: { initialWindowSize: 1000 } });
    const body = 'x'.repeat(70_000) + 'y'.repeat(130_000);
    const response = await ask(connect(), '/big', body);
    expect(response.headers['x-length']).toBe('200000');
    expect(received!.toString()).toBe(body);
  });

  test('decodes Huffman-coded and indexed response headers consistently over many responses', async () => {
    peer = await Peer.start((stream, headers) => {
      const n = String(headers[':path']).slice(1);
      // set-cookie goes out as one field per value: they come back joined.
      const fields: http2.OutgoingHttpHeaders = { ':status': 200, 'cache-control': 'private, max-age=0', 'set-cookie': ['a=1', `b=${n}`], 'x-request-id': `req-${n}`, 'apns-id': `id-${n}` };
      stream.respond(fields);
      stream.end(`answer ${n}`);
    });
    connect();
    for (let round = 0; round < 3; round++) {
      const responses = await Promise.all(Array.from({ length: 300 }, (_, i) => ask(conn!, `/${round * 300 + i}`)));
      responses.forEach((r, i) => {
        const n = round * 300 + i;
        expect(r.headers['apns-id']).toBe(`id-${n}`);
        expect(r.headers['cache-control']).toBe('private, max-age=0');
        expect(r.headers['set-cookie']).toBe(`a=1, b=${n}`);
        expect(r.body.toString()).toBe(`answer ${n}`);
      });
    }
  });

  test('a 1xx informational head is skipped and the final status is the answer', async () => {
    peer = await Peer.start((stream) => {
      stream.additionalHeaders({ ':status': 103, link: '</a>; rel=preload' });
      stream.respond({ ':status': 429, 'retry-after': '7' });
      stream.end('{"error":"quota"}');
    });
    const response = await ask(connect(), '/limited');
    expect(response.status).toBe(429);
    expect(response.headers['retry-after']).toBe('7');
  });

  test('a stream the peer refuses fails as refused (safe to send again); another reset fails as reset', async () => {
    peer = await Peer.start((stream, headers) => {
      if (headers[':path'] === '/refuse') stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
      else if (headers[':path'] === '/reset') stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
      else echo(stream, headers, Buffer.alloc(0));
    });
    connect();
    await expect(ask(conn!, '/refuse')).rejects.toMatchObject({ kind: 'refused', code: http2.constants.NGHTTP2_REFUSED_STREAM });
    await expect(ask(conn!, '/reset')).rejects.toMatchObject({ kind: 'reset', code: http2.constants.NGHTTP2_INTERNAL_ERROR });
    expect((await ask(conn!, '/ok')).status).toBe(200);
  });

  test('after GOAWAY the open streams finish, new ones are refused, and the connection says it is unusable', async () => {
    const held: Array<() => void> = [];
    peer = await Peer.start((stream, headers) => held.push(() => echo(stream, headers, Buffer.alloc(0))));
    let unusable = 0;
    connect({ onUnusable: () => (unusable += 1) });
    const first = ask(conn!, '/before');
    await waitFor(() => held.length === 1);
    for (const session of peer.sessions) session.close(); // GOAWAY with the last stream id: /before still runs
    await waitFor(() => unusable === 1);
    expect(conn!.usable).toBe(false);
    await expect(ask(conn!, '/after')).rejects.toMatchObject({ kind: 'refused' });
    held.shift()!();
    expect((await first).status).toBe(200);
  });

  test('a response over maxResponseBytes fails its stream and leaves the connection working', async () => {
    peer = await Peer.start((stream, headers) => {
      stream.respond({ ':status': 200 });
      stream.end(headers[':path'] === '/huge' ? 'z'.repeat(100_000) : 'small');
    });
    connect({ maxResponseBytes: 1000 });
    await expect(ask(conn!, '/huge')).rejects.toMatchObject({ kind: 'response' });
    expect((await ask(conn!, '/small')).body.toString()).toBe('small');
  });

  test('cancel() resets the stream at the peer and calls nothing back', async () => {
    peer = await Peer.start(() => undefined); // never answers
    connect();
    let called = false;
    const stream = conn!.request('POST', '/slow', [], Buffer.from('x'), () => (called = true));
    await waitFor(() => peer!.active === 1);
    stream.cancel();
    await waitFor(() => peer!.aborted.length === 1);
    expect(called).toBe(false);
    expect(conn!.activeStreams).toBe(0);
  });

  test("answers the peer's PING", async () => {
    peer = await Peer.start(echo);
    await ask(connect(), '/warm');
    const session = [...peer.sessions][0]!;
    const rtt = await new Promise<number>((resolve, reject) => session.ping((err, duration) => (err ? reject(err) : resolve(duration))));
    expect(rtt).toBeGreaterThanOrEqual(0);
  });

  test('open streams fail as closed when the peer drops the connection; a refused connection fails its streams', async () => {
    peer = await Peer.start(() => undefined);
    connect();
    const pending = ask(conn!, '/hang');
    await waitFor(() => peer!.active === 1);
    for (const session of peer.sessions) session.destroy();
    await expect(pending).rejects.toMatchObject({ kind: 'closed' });
    await conn!.whenClosed();

    const port = (await Peer.start(echo).then(async (p) => {
      const { port: used } = new URL(p.origin);
      await p.close();
      return used;
    }));
    const dead = new H2Connection({ origin: `http://127.0.0.1:${port}` });
    await expect(ask(dead, '/nobody')).rejects.toBeInstanceOf(H2StreamError);
    await dead.whenClosed();
  });

  test('a peer that never sends its SETTINGS fails the connection and its waiting streams', async () => {
    const silent = net.createServer((socket) => socket.resume()); // accepts and reads, then says nothing
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const dead = new H2Connection({ origin: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`, settingsTimeoutMs: 200 });
    await expect(ask(dead, '/x')).rejects.toMatchObject({ kind: 'closed', message: expect.stringMatching(/no SETTINGS/) });
    await dead.whenClosed();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  test('a peer speaking HTTP/1.1 fails the connection with a protocol error, not a hang', async () => {
    const http1 = net.createServer((socket) => socket.once('data', () => socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n')));
    await new Promise<void>((resolve) => http1.listen(0, '127.0.0.1', resolve));
    const wrong = new H2Connection({ origin: `http://127.0.0.1:${(http1.address() as AddressInfo).port}` });
    await expect(ask(wrong, '/x')).rejects.toMatchObject({ kind: 'closed' });
    await wrong.whenClosed();
    await new Promise<void>((resolve) => http1.close(() => resolve()));
  });

  test('close() lets open streams finish, then ends the connection', async () => {
    const held: Array<() => void> = [];
    peer = await Peer.start((stream, headers) => held.push(() => echo(stream, headers, Buffer.alloc(0))));
    connect();
    const inFlight = ask(conn!, '/last');
    await waitFor(() => held.length === 1);
    conn!.close();
    await expect(ask(conn!, '/late')).rejects.toMatchObject({ kind: 'refused' });
    held.shift()!();
    expect((await inFlight).status).toBe(200);
    await conn!.whenClosed();
  });
});

describe('H2Connection over TLS', () => {
  let dir: string;
  let tlsFiles: { key: string; cert: string };

  beforeAll(() => {
    // A throwaway self-signed certificate for 127.0.0.1 (openssl: installed by deploy/local/tools.sh from test/global-setup.ts).
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'h2-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
      '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { stdio: 'ignore' });
    tlsFiles = { key: fs.readFileSync(path.join(dir, 'key.pem'), 'utf8'), cert: fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8') };
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('negotiates h2 by ALPN and verifies the server against the given CA', async () => {
    const peer = await Peer.start(echo, { tls: tlsFiles });
    const conn = new H2Connection({ origin: peer.origin, connectOptions: { ca: tlsFiles.cert } });
    try {
      const response = await ask(conn, '/3/device/abc', '{"aps":{}}');
      expect(JSON.parse(response.body.toString())).toMatchObject({ path: '/3/device/abc', bytes: 10 });
    } finally {
      conn.destroy();
      await peer.close();
    }
  });

  test('refuses a server it cannot verify, and one that does not speak h2', async () => {
    const peer = await Peer.start(echo, { tls: tlsFiles });
    const untrusted = new H2Connection({ origin: peer.origin });
    await expect(ask(untrusted, '/x')).rejects.toMatchObject({ kind: 'closed' });
    await peer.close();

    const http1 = https.createServer(tlsFiles, (_, res) => res.end('http/1.1'));
    await new Promise<void>((resolve) => http1.listen(0, '127.0.0.1', resolve));
    const origin = `https://127.0.0.1:${(http1.address() as AddressInfo).port}`;
    const conn = new H2Connection({ origin, connectOptions: { ca: tlsFiles.cert } });
    const failure = await ask(conn, '/x').then(() => undefined, (error: Error) => error);
    // Node's HTTPS server answers an h2-only ALPN offer with an alert; a server that ignores ALPN gets our own check.
    expect(failure?.message).toMatch(/did not negotiate h2|no application protocol/);
    conn.destroy();
    http1.closeAllConnections();
    await new Promise<void>((resolve) => http1.close(() => resolve()));
  });
});
