// End to end, randomised: the real guild service (product API, owner, fan-out stream) and a real
// gateway with its guild link, users connected over real WebSockets. Random role permission,
// channel overwrite and member role changes through the gRPC API, interleaved with messages in
// random channels. Oracle: Discord's documented permission algorithm over a model of the same
// changes. Every session must receive exactly the messages its user could view when each was
// sent — none it could not see, none missing.
import { guildV1 } from '@switchboard/proto';
import { closeClient, createClient, PermissionFlags } from '@switchboard/runtime';
import type { ServiceClient } from '@switchboard/runtime';
import { GatewayIntent } from '../../services/gateway/src/protocol';
import { startEmbeddedGateway, tokenFor } from '../../services/gateway/src/testing/embedded-gateway';
import type { RunningGateway } from '../../services/gateway/src/start';
import { TestGatewayClient } from '../../services/gateway/src/transport/test-client';
import { startEmbeddedGuild } from '../../services/guild/src/testing/embedded-guild';
import { referenceCanView } from '../../services/guild/src/testing/reference-permissions';
import type { PermissionModel } from '../../services/guild/src/testing/reference-permissions';
import type { RunningGuild } from '../../services/guild/src/start';

const VIEW = PermissionFlags.VIEW_CHANNEL;
const SEND = PermissionFlags.SEND_MESSAGES;
const USERS = 7;
const STEPS = 120;

function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

describe('guild + gateway – channel visibility (randomised, end to end)', () => {
  let guild: RunningGuild;
  let gateway: RunningGateway;
  let api: ServiceClient<typeof guildV1.GuildService>;
  const clients: TestGatewayClient[] = [];

  beforeAll(async () => {
    guild = await startEmbeddedGuild();
    gateway = await startEmbeddedGateway({ GUILD_ADDRESS: `127.0.0.1:${guild.grpcPort}` });
    api = createClient(guildV1.GuildService, `127.0.0.1:${guild.grpcPort}`);
  });
  afterAll(async () => {
    for (const client of clients) client.ws.terminate();
    if (api) closeClient(api);
    await gateway?.context.lifecycle.shutdown('test done');
    await guild?.context.lifecycle.shutdown('test done');
  });

  it.each([11, 12])('delivers each message to exactly the sessions whose user may view its channel (seed %i)', async (seed) => {
    const random = rng(seed);
    const pick = <T,>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const s = (n: bigint) => n.toString();

    // Users: the owner, five members, and one outsider who never joins.
    const users: bigint[] = [];
    for (let i = 0; i < USERS; i += 1) {
      const id = BigInt(seed) * 1_000_000n + BigInt(i + 1) * 4_194_304n;
      await api.upsertUser({ user: { id: s(id), username: `u${seed}-${i}` } });
      users.push(id);
    }
    const [owner, ...others] = users;
    const outsider = others.pop()!;
    const created = await api.createGuild({ name: `property ${seed}`, ownerId: s(owner!) });
    const guildId = BigInt(created.guild!.id);
    const model: PermissionModel = { owner: owner!, roles: new Map([[guildId, VIEW | SEND]]), members: new Map([[owner!, []]]), overwrites: new Map() };
    for (const user of others) {
      await api.addMember({ guildId: s(guildId), user: { id: s(user) } });
      model.members.set(user, []);
    }
    const roleIds: bigint[] = [guildId];
    for (let i = 0; i < 3; i += 1) {
      const permissions = pick([0n, VIEW, VIEW | SEND]);
      const { role } = await api.createRole({ guildId: s(guildId), name: `r${i}`, permissions: s(permissions) });
      roleIds.push(BigInt(role!.id));
      model.roles.set(BigInt(role!.id), permissions);
    }
    const channels: bigint[] = [];
    const general = (await api.getGuild({ guildId: s(guildId) })).channels.map((c) => BigInt(c.id));
    for (const id of general) {
      channels.push(id);
      model.overwrites.set(id, new Map());
    }
    for (let i = 0; i < 2; i += 1) {
      const { channel } = await api.createChannel({ guildId: s(guildId), type: 0, name: `c${i}` });
      channels.push(BigInt(channel!.id));
      model.overwrites.set(BigInt(channel!.id), new Map());
    }

    // Every user connects (the outsider too: it must get nothing of this guild).
    const sessions = new Map<bigint, TestGatewayClient>();
    for (const user of users) {
      const client = await TestGatewayClient.connect(gateway.edge.server.port);
      clients.push(client);
      await client.next((p) => p.op === 10);
      client.send({ op: 2, d: { token: tokenFor(gateway, user), intents: GatewayIntent.GUILDS | GatewayIntent.GUILD_MESSAGES, properties: { os: 'linux', browser: 't', device: 't' } } });
      await client.dispatch('READY');
      sessions.set(user, client);
    }

    const expected = new Map<bigint, string[]>(users.map((u) => [u, []]));
    for (let step = 0; step < STEPS; step += 1) {
      const choice = random();
      if (choice < 0.15) {
        const role = pick(roleIds);
        const permissions = pick([0n, VIEW, VIEW | SEND]);
        model.roles.set(role, permissions);
        await api.updateRole({ guildId: s(guildId), roleId: s(role), permissions: s(permissions) });
      } else if (choice < 0.3) {
        const channel = pick(channels);
        const overwrites = new Map<bigint, { type: 0 | 1; allow: bigint; deny: bigint }>();
        for (const target of [...roleIds, ...others]) {
          if (random() < 0.3) overwrites.set(target, { type: roleIds.includes(target) ? 0 : 1, allow: random() < 0.5 ? VIEW : 0n, deny: random() < 0.5 ? VIEW : 0n });
        }
        model.overwrites.set(channel, overwrites);
        await api.updateChannel({
          channelId: s(channel),
          replaceOverwrites: true,
          permissionOverwrites: [...overwrites].map(([id, o]) => ({ id: s(id), type: o.type, allow: s(o.allow), deny: s(o.deny) })),
        });
      } else if (choice < 0.45) {
        const member = pick(others);
        const roles = roleIds.slice(1).filter(() => random() < 0.4);
        model.members.set(member, roles);
        await api.updateMember({ guildId: s(guildId), userId: s(member), replaceRoles: true, roleIds: roles.map(s) });
      } else {
        // The owner may always send; who receives depends only on VIEW_CHANNEL.
        const channel = pick(channels);
        const { message } = await api.createMessage({ authorId: s(owner!), channelId: s(channel), content: `step ${step}` });
        for (const user of users) {
          if (referenceCanView(model, guildId, user, channel)) expected.get(user)!.push(message!.id);
        }
      }
    }
    // A last message the owner sees: once it arrived, everything before it was delivered (one guild,
    // one partition, one order), so nothing is still in flight for anyone.
    const { message: last } = await api.createMessage({ authorId: s(owner!), channelId: s(pick(channels)), content: 'end' });
    const ownerFrames = sessions.get(owner!)!.received;
    const deadline = Date.now() + 20_000;
    while (!ownerFrames.some((p) => p.t === 'MESSAGE_CREATE' && (p.d as { id: string }).id === last!.id)) {
      if (Date.now() > deadline) throw new Error('the last message never reached the owner');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // The other sessions get their frames in the same event-loop turn; one more beat for sockets.
    await new Promise((resolve) => setTimeout(resolve, 300));

    for (const user of users) {
      const received = sessions.get(user)!.received
        .filter((p) => p.t === 'MESSAGE_CREATE')
        .map((p) => (p.d as { id: string }).id)
        .filter((id) => id !== last!.id);
      expect({ user: s(user), received }).toEqual({ user: s(user), received: expected.get(user) });
    }
    // Not vacuous: some messages were hidden from someone, and the owner saw them all.
    const counts = users.map((u) => expected.get(u)!.length);
    expect(Math.min(...counts.slice(0, -1))).toBeLessThan(expected.get(owner!)!.length);
    expect(expected.get(outsider)).toEqual([]);
  }, 120_000);
});
