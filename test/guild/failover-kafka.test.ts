// Guild-instance failover against the real Kafka broker and PostgreSQL: two guild service processes
// (the built dist/main.js, as Kubernetes runs them) share the guild partitions; a gateway holds
// sessions subscribed to several guilds with one fan-out stream to each guild instance; messages
// flow through the product API. One guild instance is killed with SIGKILL mid-stream. Within the
// consumer session timeout its guilds are served by the survivor, and every session receives every
// acknowledged message (CreateMessage returned OK) exactly once, in order per guild.
import { randomBytes } from 'node:crypto';
import { guildV1 } from '@switchboard/proto';
import { closeClient, createClient, openDatabase } from '@switchboard/runtime';
import type { ServiceClient } from '@switchboard/runtime';
import { GatewayIntent } from '../../services/gateway/src/protocol';
import { startEmbeddedGateway, tokenFor } from '../../services/gateway/src/testing/embedded-gateway';
import type { RunningGateway } from '../../services/gateway/src/start';
import { TestGatewayClient } from '../../services/gateway/src/transport/test-client';
import { requireDatabaseUrl, requireKafkaBrokers } from '../support/backing-services';
import { builtEntryPoint, startProcess } from '../support/processes';
import type { RunningProcess } from '../support/processes';

const SESSION_TIMEOUT_MS = 3_000;
const GUILDS = 4;
const USERS = 3;

type GuildApi = ServiceClient<typeof guildV1.GuildService>;

describe('guild – failover of a guild instance (real Kafka, kill -9)', () => {
  const run = randomBytes(4).toString('hex');
  const schema = `test_guild_failover_${run}`;
  const processes: RunningProcess[] = [];
  const apis: GuildApi[] = [];
  const clients: TestGatewayClient[] = [];
  let gateway: RunningGateway | undefined;
  let admin: Awaited<ReturnType<typeof openDatabase>> | undefined;

  async function startGuildProcess(name: string): Promise<{ process: RunningProcess; address: string }> {
    const url = new URL(requireDatabaseUrl());
    url.searchParams.set('options', `-c search_path=${schema}`);
    const process = startProcess(builtEntryPoint('services/guild/dist/main.js'), {
      SWITCHBOARD_MODE: 'cluster',
      SWITCHBOARD_INSTANCE_ID: `${name}-${run}`,
      SWITCHBOARD_BIND_HOST: '127.0.0.1',
      KAFKA_BROKERS: requireKafkaBrokers().join(','),
      KAFKA_CONSUMER_SESSION_TIMEOUT: `${SESSION_TIMEOUT_MS}ms`,
      DATABASE_URL: url.toString(),
      GUILD_GRPC_PORT: '0',
      GUILD_HTTP_PORT: '0',
      GUILD_EVENTS_TOPIC: `test.guild.events.${run}`,
      PUSH_REQUESTS_TOPIC: `test.push.requests.${run}`,
      GUILD_OWNER_GROUP: `test-guild-owners-${run}`,
      GUILD_EVENT_PARTITIONS: '4',
      // Both instances start before the gateway exists: nothing to wait for.
      GUILD_OWNER_JOIN_DELAY: '0s',
      LOG_LEVEL: 'info',
    });
    processes.push(process);
    const serving = JSON.parse(await process.waitFor(/"msg":"serving"/, 60_000)) as { grpcPort: number };
    return { process, address: `127.0.0.1:${serving.grpcPort}` };
  }

  beforeAll(async () => {
    admin = await openDatabase({ url: requireDatabaseUrl(), poolSize: 1 });
    await admin.exec(`CREATE SCHEMA ${schema}`);
  });

  afterAll(async () => {
    for (const client of clients) client.ws.terminate();
    for (const api of apis) closeClient(api);
    await gateway?.context.lifecycle.shutdown('test done');
    for (const process of processes) if (process.child.exitCode === null) process.child.kill('SIGKILL');
    await admin?.exec(`DROP SCHEMA ${schema} CASCADE`);
    await admin?.close();
  });

  it('serves the dead instance\'s guilds from the survivor; sessions get every acknowledged message once, in order', async () => {
    const victim = await startGuildProcess('guild-a');
    const survivor = await startGuildProcess('guild-b');
    const api = createClient(guildV1.GuildService, survivor.address, { defaultTimeoutMs: 15_000 });
    apis.push(api);

    const users: string[] = [];
    for (let i = 0; i < USERS; i += 1) {
      const id = String((BigInt(Date.now()) << 22n) + BigInt(i));
      await api.upsertUser({ user: { id, username: `failover${i}` } });
      users.push(id);
    }
    const channels = new Map<string, string>(); // guild → its general channel
    for (let g = 0; g < GUILDS; g += 1) {
      const { guild } = await api.createGuild({ name: `failover ${g}`, ownerId: users[0]! });
      for (const user of users.slice(1)) await api.addMember({ guildId: guild!.id, user: { id: user } });
      const { channels: list } = await api.getGuild({ guildId: guild!.id });
      channels.set(guild!.id, list[0]!.id);
    }

    gateway = await startEmbeddedGateway({
      GUILD_ADDRESS: survivor.address,
      GUILD_FANOUT_TARGETS: `${victim.address},${survivor.address}`,
    });
    for (const user of users) {
      const client = await TestGatewayClient.connect(gateway.edge.server.port);
      clients.push(client);
      await client.next((p) => p.op === 10);
      client.send({ op: 2, d: { token: tokenFor(gateway, BigInt(user)), intents: GatewayIntent.GUILDS | GatewayIntent.GUILD_MESSAGES, properties: { os: 'linux', browser: 't', device: 't' } } });
      await client.dispatch('READY', 15_000);
    }

    // Messages round-robin over the guilds; the victim dies a third of the way through.
    const acknowledged = new Map<string, string[]>([...channels.keys()].map((g) => [g, []]));
    const total = 90;
    for (let i = 0; i < total; i += 1) {
      if (i === total / 3) victim.process.child.kill('SIGKILL');
      const guildId = [...channels.keys()][i % GUILDS]!;
      try {
        const { message } = await api.createMessage({ authorId: users[0]!, channelId: channels.get(guildId)!, content: `m${i}` });
        acknowledged.get(guildId)!.push(message!.id);
      } catch {
        // Not acknowledged: the client would retry; nothing is promised about it.
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await victim.process.exited).toMatchObject({ signal: 'SIGKILL' });
    const expectedCount = [...acknowledged.values()].reduce((n, ids) => n + ids.length, 0);
    expect(expectedCount).toBeGreaterThan(total / 2);

    // Every session ends with exactly the acknowledged messages of each guild, in order.
    const deadline = Date.now() + 30_000 + 3 * SESSION_TIMEOUT_MS;
    const byGuild = (client: TestGatewayClient) => {
      const seen = new Map<string, string[]>();
      for (const p of client.received) {
        if (p.t !== 'MESSAGE_CREATE') continue;
        const d = p.d as { guild_id: string; id: string };
        seen.set(d.guild_id, [...(seen.get(d.guild_id) ?? []), d.id]);
      }
      return seen;
    };
    const complete = () => clients.every((client) => {
      const seen = byGuild(client);
      return [...acknowledged].every(([g, ids]) => (seen.get(g)?.length ?? 0) >= ids.length);
    });
    while (!complete() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    await new Promise((resolve) => setTimeout(resolve, 500)); // late duplicates would show up here
    for (const [index, client] of clients.entries()) {
      const seen = byGuild(client);
      for (const [guildId, ids] of acknowledged) {
        const got = (seen.get(guildId) ?? []).filter((id) => ids.includes(id));
        expect({ user: index, guildId, got }).toEqual({ user: index, guildId, got: ids });
      }
    }
  }, 180_000);
});
