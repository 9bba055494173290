// The real @discordjs/rest client (what discord.js and @discordjs/ws call on login) reads
// /gateway/bot from us when pointed at our API base, and gets a DiscordAPIError 401 for a bad token.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DiscordAPIError, REST } from '@discordjs/rest';
import { MemoryAuthStore } from '../auth/auth-store';
import { Authenticator } from '../auth/authenticator';
import { TokenSigner } from '../auth/token';
import { SessionStartLimit } from '../limits/session-start-limit';
import { createDiscoveryHandler } from './discovery';

const signer = new TokenSigner('d'.repeat(32));
const token = signer.sign({ userId: 175928847299117063n, issuedAt: 1_700_000_000 });

describe('discovery with the real @discordjs/rest client', () => {
  let server: http.Server;
  let api: string;
  beforeAll(async () => {
    const handler = createDiscoveryHandler({
      publicUrl: 'ws://127.0.0.1:1',
      tokens: new Authenticator(signer, new MemoryAuthStore()),
      sessionStarts: new SessionStartLimit({ maxConcurrency: 1 }),
    });
    server = http.createServer((req, res) => {
      if (!handler(req, res)) res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    api = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('GET /gateway/bot (Routes.gatewayBot) as discord.js does on login', async () => {
    const rest = new REST({ api, version: '10' }).setToken(token);
    await expect(rest.get('/gateway/bot')).resolves.toEqual({
      url: 'ws://127.0.0.1:1',
      shards: 1,
      session_start_limit: { total: 1000, remaining: 1000, reset_after: 86_400_000, max_concurrency: 1 },
    });
  });

  it('a forged token is a DiscordAPIError with status 401', async () => {
    const rest = new REST({ api, version: '10', retries: 0 }).setToken(new TokenSigner('e'.repeat(32)).sign({ userId: 1n, issuedAt: 1 }));
    const error = await rest.get('/gateway/bot').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscordAPIError);
    expect(error).toMatchObject({ status: 401, code: 0 });
  });
});
