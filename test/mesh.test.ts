// `make dev`'s mesh, in-process: every service answers /healthz on its HTTP port, and the real
// grpcurl (a Go module, installed by the test setup) lists and calls each service through
// server reflection, without proto files.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { demoMessageCommand, Mesh, startMesh } from '@switchboard/mesh';
import { GatewayIntent } from '../services/gateway/src/protocol';
import { TestGatewayClient } from '../services/gateway/src/transport/test-client';
import { REPO_ROOT } from './support/processes';

const run = promisify(execFile);
const GRPCURL = path.join(REPO_ROOT, '.local/bin/grpcurl');

const SERVICES = {
  gateway: 'switchboard.gateway.v1.GatewayService',
  guild: 'switchboard.guild.v1.GuildService',
  presence: 'switchboard.presence.v1.PresenceService',
  push: 'switchboard.push.v1.PushService',
} as const;

async function grpcurl(...args: string[]): Promise<string> {
  if (!existsSync(GRPCURL)) throw new Error(`${GRPCURL} is missing: jest's global setup installs it (deploy/local/tools.sh grpcurl)`);
  const { stdout } = await run(GRPCURL, ['-plaintext', ...args], { timeout: 20_000 });
  return stdout;
}

describe('make dev mesh (embedded: in-memory event log, PGlite)', () => {
  let mesh: Mesh;

  beforeAll(async () => {
    const ports = Object.fromEntries(
      ['GATEWAY', 'GUILD', 'PRESENCE', 'PUSH'].flatMap((p) => [[`${p}_GRPC_PORT`, '0'], [`${p}_HTTP_PORT`, '0']]),
    );
    mesh = await startMesh({ ...ports, GATEWAY_PUBLIC_PORT: '0', SWITCHBOARD_BIND_HOST: '127.0.0.1', LOG_LEVEL: 'warn' });
  }, 60_000);

  afterAll(() => mesh?.stop());

  it.each(Object.keys(SERVICES) as (keyof typeof SERVICES)[])('%s answers /healthz and /readyz', async (name) => {
    const { ops } = mesh.services[name];
    expect((await fetch(`${ops.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${ops.url}/readyz`)).status).toBe(200);
  });

  it.each(Object.entries(SERVICES))('grpcurl lists and calls %s through reflection', async (name, fullName) => {
    const address = `127.0.0.1:${mesh.services[name as keyof typeof SERVICES].grpcPort}`;
    const listed = (await grpcurl(address, 'list')).split('\n');
    expect(listed).toEqual(expect.arrayContaining([fullName, 'grpc.health.v1.Health']));
    const described = JSON.parse(await grpcurl(address, `${fullName}/Describe`));
    expect(described.instance).toMatchObject({ service: name, mode: 'INSTANCE_MODE_EMBEDDED' });
    const health = JSON.parse(await grpcurl('-d', JSON.stringify({ service: fullName }), address, 'grpc.health.v1.Health/Check'));
    expect(health).toEqual({ status: 'SERVING' });
  });

  it('hands out a demo token that the gateway discovery endpoint accepts', async () => {
    const base = `http://127.0.0.1:${mesh.services.gateway.edge.server.port}/api/v10`;
    const ok = await fetch(`${base}/gateway/bot`, { headers: { authorization: `Bot ${mesh.demo.token}` } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ shards: 1, session_start_limit: { max_concurrency: 1 } });
    const forged = await fetch(`${base}/gateway/bot`, { headers: { authorization: `Bot ${mesh.demo.token}x` } });
    expect(forged.status).toBe(401);
  });

  it('seeds a demo guild: the demo token gets it at READY and sees a message the printed grpcurl command posts', async () => {
    const client = await TestGatewayClient.connect(mesh.services.gateway.edge.server.port);
    try {
      await client.next((p) => p.op === 10);
      client.send({ op: 2, d: { token: mesh.demo.token, intents: GatewayIntent.GUILDS | GatewayIntent.GUILD_MESSAGES, properties: { os: 'l', browser: 'b', device: 'd' } } });
      expect((await client.dispatch('READY')).d).toMatchObject({ guilds: [{ id: mesh.demo.guildId, unavailable: true }] });
      expect((await client.dispatch('GUILD_CREATE')).d).toMatchObject({ id: mesh.demo.guildId, name: 'Switchboard demo' });
      // The command describeMesh prints, run with the real grpcurl.
      const command = demoMessageCommand(mesh.services.guild.grpcPort, mesh.demo);
      const body = /-d '([^']+)'/.exec(command)![1]!;
      await grpcurl('-d', body, `127.0.0.1:${mesh.services.guild.grpcPort}`, 'switchboard.guild.v1.GuildService/CreateMessage');
      expect((await client.dispatch('MESSAGE_CREATE')).d).toMatchObject({ channel_id: mesh.demo.channelId, author: { username: 'friend' } });
    } finally {
      client.ws.close(1000);
    }
  });

  it('shares one in-memory event log between the services', () => {
    expect(mesh.eventLog.kind).toBe('memory');
  });
});
