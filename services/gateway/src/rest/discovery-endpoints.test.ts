// GET /api/v10/gateway and /gateway/bot answer as Discord does (JSON shapes, 401/404/405), on a
// plain http server, with real tokens, a fake guild counter and the session-start budget.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MemoryAuthStore } from '../auth/auth-store';
import type { AuthStore } from '../auth/auth-store';
import { Authenticator } from '../auth/authenticator';
import { TokenSigner } from '../auth/token';
import { SessionStartLimit } from '../limits/session-start-limit';
import type { DiscoveryOptions, GuildCounter } from './discovery';
import { bearerToken, createDiscoveryHandler } from './discovery';

const signer = new TokenSigner('r'.repeat(32));
const USER = 175928847299117063n;
const token = signer.sign({ userId: USER, issuedAt: 1_700_000_000 });

class FakeGuildCounter implements GuildCounter {
  counts = new Map<bigint, number>();
  fail = false;
  async guildCount(userId: bigint): Promise<number> {
    if (this.fail) throw new Error('guild service down');
    return this.counts.get(userId) ?? 0;
  }
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

describe('discovery REST', () => {
  let server: http.Server;
  let base: string;
  let store: MemoryAuthStore;
  let guilds: FakeGuildCounter;
  let sessionStarts: SessionStartLimit;
  let options: DiscoveryOptions;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (!handler(req, res)) {
        res.writeHead(418).end('not mine');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  let handler: ReturnType<typeof createDiscoveryHandler>;
  beforeEach(() => {
    store = new MemoryAuthStore();
    guilds = new FakeGuildCounter();
    sessionStarts = new SessionStartLimit({ total: 1000, windowMs: 86_400_000, maxConcurrency: 1, now: () => 1_000_000 });
    options = { publicUrl: 'wss://gateway.example.com', tokens: new Authenticator(signer, store), sessionStarts, guilds };
    handler = createDiscoveryHandler(options);
  });

  async function get(path: string, init: RequestInit = {}): Promise<Reply> {
    const response = await fetch(`${base}${path}`, init);
    const text = await response.text();
    return { status: response.status, headers: Object.fromEntries(response.headers), body: text === '' ? undefined : JSON.parse(text) };
  }

  it('GET /api/v10/gateway answers the public URL without a query string', async () => {
    const reply = await get('/api/v10/gateway');
    expect(reply).toMatchObject({ status: 200, body: { url: 'wss://gateway.example.com' } });
    expect(reply.headers['content-type']).toBe('application/json');
  });

  it('answers v9, unversioned, trailing-slash and query-string forms too', async () => {
    for (const path of ['/api/v9/gateway', '/api/gateway', '/api/v10/gateway/', '/api/v10/gateway?encoding=json']) {
      expect((await get(path)).body).toEqual({ url: 'wss://gateway.example.com' });
    }
  });

  it('derives the URL from the Host header when no public URL is configured', async () => {
    handler = createDiscoveryHandler({ ...options, publicUrl: undefined });
    const reply = await get('/api/v10/gateway');
    expect(reply.body).toEqual({ url: base.replace('http://', 'ws://') });
    const proxied = await get('/api/v10/gateway', { headers: { 'X-Forwarded-Proto': 'https' } });
    expect(proxied.body).toEqual({ url: base.replace('http://', 'wss://') });
  });

  it('GET /gateway/bot answers url, shards and the session-start limit for a good token', async () => {
    sessionStarts.consume(USER);
    const reply = await get('/api/v10/gateway/bot', { headers: { Authorization: `Bot ${token}` } });
    expect(reply).toMatchObject({
      status: 200,
      body: {
        url: 'wss://gateway.example.com',
        shards: 1,
        session_start_limit: { total: 1000, remaining: 999, reset_after: 86_400_000, max_concurrency: 1 },
      },
    });
  });

  it('recommends ceil(guilds / 1000) shards, and 1 when the count is unavailable', async () => {
    const auth = { headers: { Authorization: `Bot ${token}` } };
    guilds.counts.set(USER, 2500);
    expect(((await get('/api/v10/gateway/bot', auth)).body as { shards: number }).shards).toBe(3);
    guilds.counts.set(USER, 1000);
    expect(((await get('/api/v10/gateway/bot', auth)).body as { shards: number }).shards).toBe(1);
    guilds.fail = true;
    expect(((await get('/api/v10/gateway/bot', auth)).body as { shards: number }).shards).toBe(1);
  });

  it('answers 401 in Discord\'s shape for a missing, forged, Bearer or revoked token', async () => {
    const unauthorized = { status: 401, body: { message: '401: Unauthorized', code: 0 } };
    expect(await get('/api/v10/gateway/bot')).toMatchObject(unauthorized);
    const forged = new TokenSigner('x'.repeat(32)).sign({ userId: USER, issuedAt: 1_700_000_000 });
    expect(await get('/api/v10/gateway/bot', { headers: { Authorization: `Bot ${forged}` } })).toMatchObject(unauthorized);
    expect(await get('/api/v10/gateway/bot', { headers: { Authorization: `Bearer ${token}` } })).toMatchObject(unauthorized);
    await store.revokeTokens(USER, 1_700_000_001);
    expect(await get('/api/v10/gateway/bot', { headers: { Authorization: `Bot ${token}` } })).toMatchObject(unauthorized);
  });

  it('answers 500 (and no details) when the auth store fails', async () => {
    const down: AuthStore = { userAuth: () => Promise.reject(new Error('db')), revokeTokens: async () => 0, setPrivilegedIntents: async () => {},
      revocationsSince: async () => ({ revocations: [], asOfMs: 0 }) };
    handler = createDiscoveryHandler({ ...options, tokens: new Authenticator(signer, down) });
    expect(await get('/api/v10/gateway/bot', { headers: { Authorization: `Bot ${token}` } })).toMatchObject({
      status: 500,
      body: { message: '500: Internal Server Error', code: 0 },
    });
  });

  it('answers 404 JSON for unknown /api paths and versions, 405 for other methods', async () => {
    const notFound = { status: 404, body: { message: '404: Not Found', code: 0 } };
    expect(await get('/api/v10/users/@me')).toMatchObject(notFound);
    expect(await get('/api/v8/gateway')).toMatchObject(notFound);
    expect(await get('/api/v10/gateway/bot/extra')).toMatchObject(notFound);
    const wrong = await get('/api/v10/gateway', { method: 'POST' });
    expect(wrong).toMatchObject({ status: 405, body: { message: '405: Method Not Allowed', code: 0 } });
    expect(wrong.headers['allow']).toBe('GET, HEAD');
    expect((await get('/api/v10/gateway/bot', { method: 'DELETE' })).status).toBe(405);
  });

  it('leaves everything outside /api to the server', async () => {
    const response = await fetch(`${base}/healthz`);
    expect(response.status).toBe(418);
    expect((await fetch(`${base}/apiary`)).status).toBe(418);
  });

  it('parses the Authorization header', () => {
    expect(bearerToken('Bot abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerToken('abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerToken('Bearer abc')).toBeUndefined();
    expect(bearerToken('Bot ')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});
