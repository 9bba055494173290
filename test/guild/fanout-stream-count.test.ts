// Fan-out cost is per gateway instance, not per session: one event in a guild of 5,000 members,
// all online, spread over three gateway instances, crosses the guild → gateway streams three
// times (one FanoutEvent per gateway), and still reaches all 5,000 sessions. The event is a
// GUILD_UPDATE, which every member gets (in a guild this large, sessions not looking at it are
// passive and get messages only when mentioned). The guild's database is the real PostgreSQL,
// so 5,000 READYs do not queue on one embedded connection.
import { randomBytes } from 'node:crypto';
import { guildV1 } from '@switchboard/proto';
import { closeClient, createClient, openDatabase } from '@switchboard/runtime';
import type { Registry } from '@switchboard/runtime';
import { GatewayIntent } from '../../services/gateway/src/protocol';
import { startEmbeddedGateway, tokenFor } from '../../services/gateway/src/testing/embedded-gateway';
import type { RunningGateway } from '../../services/gateway/src/start';
import { TestGatewayClient } from '../../services/gateway/src/transport/test-client';
import { startEmbeddedGuild } from '../../services/guild/src/testing/embedded-guild';
import type { RunningGuild } from '../../services/guild/src/start';
import { requireDatabaseUrl } from '../support/backing-services';

const MEMBERS = Number(process.env.STREAM_COUNT_MEMBERS ?? 5_000);
const GATEWAYS = 3;

async function counter(registry: Registry, name: string): Promise<number> {
  const metric = await registry.getSingleMetricAsString(name).catch(() => '');
  return metric.split('\n').filter((line) => line.startsWith(name)).reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

describe('guild fan-out – one stream message per gateway instance', () => {
  let guild: RunningGuild;
  const gateways: RunningGateway[] = [];
  const clients: TestGatewayClient[] = [];
  const schema = `test_guild_fanout_${randomBytes(4).toString('hex')}`;
  let admin: Awaited<ReturnType<typeof openDatabase>> | undefined;

  afterAll(async () => {
    for (const client of clients) client.ws.terminate();
    for (const gateway of gateways) await gateway.context.lifecycle.shutdown('test done');
    await guild?.context.lifecycle.shutdown('test done');
    await admin?.exec(`DROP SCHEMA ${schema} CASCADE`);
    await admin?.close();
  });

  it(`sends one event in a ${MEMBERS}-member guild over ${GATEWAYS} gateways as ${GATEWAYS} stream messages`, async () => {
    admin = await openDatabase({ url: requireDatabaseUrl(), poolSize: 1 });
    await admin.exec(`CREATE SCHEMA ${schema}`);
    const url = new URL(requireDatabaseUrl());
    url.searchParams.set('options', `-c search_path=${schema}`);
    guild = await startEmbeddedGuild({ DATABASE_URL: url.toString() });
    const api = createClient(guildV1.GuildService, `127.0.0.1:${guild.grpcPort}`);
    try {
      const ownerId = 1n << 30n;
      await api.upsertUser({ user: { id: String(ownerId), username: 'owner' } });
      const { guild: created } = await api.createGuild({ name: 'big', ownerId: String(ownerId) });
      const guildId = BigInt(created!.id);
      // Members are bulk-loaded into PostgreSQL (setup, not what is measured); the owner instance
      // reads them when it loads the guild for its first event.
      const userIds = Array.from({ length: MEMBERS - 1 }, (_, i) => ownerId + BigInt(i + 1));
      await guild.database.query('INSERT INTO users (id, username) SELECT u, $2 || u FROM unnest($1::bigint[]) AS u', [userIds, 'member']);
      await guild.database.query('INSERT INTO members (guild_id, user_id) SELECT $1, u FROM unnest($2::bigint[]) AS u', [guildId, userIds]);

      for (let g = 0; g < GATEWAYS; g += 1) {
        gateways.push(await startEmbeddedGateway({
          GUILD_ADDRESS: `127.0.0.1:${guild.grpcPort}`,
          GATEWAY_MAX_SESSIONS: String(MEMBERS),
          // These clients send no heartbeats; connecting 5,000 of them on a busy machine can take
          // longer than the default interval, which would close the first ones.
          GATEWAY_HEARTBEAT_INTERVAL: '30m',
        }));
      }
      const everyone = [ownerId, ...userIds];
      // Connect in waves so the machine is not flooded with handshakes.
      for (let start = 0; start < everyone.length; start += 250) {
        await Promise.all(everyone.slice(start, start + 250).map(async (user, i) => {
          const gateway = gateways[(start + i) % GATEWAYS]!;
          const client = await TestGatewayClient.connect(gateway.edge.server.port);
          clients.push(client);
          await client.next((p) => p.op === 10, 30_000);
          client.send({ op: 2, d: { token: tokenFor(gateway, user), intents: GatewayIntent.GUILDS | GatewayIntent.GUILD_MESSAGES, properties: { os: 'l', browser: 't', device: 't' } } });
          await client.dispatch('READY', 60_000);
          client.received.length = 0;
        }));
      }
      // Every session is still there (none timed out or was refused).
      expect(gateways.reduce((n, g) => n + [...g.edge.registry.sessions()].filter((x) => x.state === 'ready').length, 0)).toBe(MEMBERS);
      const sentBefore = await counter(guild.context.registry, 'guild_fanout_messages_sent_total');
      await api.updateGuild({ guildId: created!.id, name: 'big and renamed' });

      const deadline = Date.now() + 120_000;
      const arrived = () => clients.filter((c) => c.received.some((p) => p.t === 'GUILD_UPDATE' && (p.d as { name: string }).name === 'big and renamed')).length;
      while (arrived() < MEMBERS && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(arrived()).toBe(MEMBERS);
      const sent = (await counter(guild.context.registry, 'guild_fanout_messages_sent_total')) - sentBefore;
      const received = await Promise.all(gateways.map((g) => counter(g.context.registry, 'gateway_fanout_events_received_total')));
      console.log(`fan-out of one event to ${MEMBERS} sessions on ${GATEWAYS} gateways: ${sent} stream messages (per gateway: ${received.join(', ')})`);
      expect(sent).toBe(GATEWAYS);
      expect(received).toEqual(Array(GATEWAYS).fill(1));
    } finally {
      closeClient(api);
    }
  }, 300_000);
});
