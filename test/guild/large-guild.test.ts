// Large guilds end to end (real guild service and gateway, real sockets), with the passive
// threshold lowered so a small guild counts as large: a session not looking at the guild gets its
// state changes and the messages that mention its user, not the rest; op 14 makes it active (all
// messages) and subscribes it to the member list, answered with a SYNC and then kept current with
// list ops as members join.
import { guildV1 } from '@switchboard/proto';
import { closeClient, createClient } from '@switchboard/runtime';
import type { ServiceClient } from '@switchboard/runtime';
import type { GatewayPayload } from '../../services/gateway/src/codec';
import { GatewayIntent } from '../../services/gateway/src/protocol';
import { startEmbeddedGateway, tokenFor } from '../../services/gateway/src/testing/embedded-gateway';
import type { RunningGateway } from '../../services/gateway/src/start';
import { TestGatewayClient } from '../../services/gateway/src/transport/test-client';
import { startEmbeddedGuild } from '../../services/guild/src/testing/embedded-guild';
import type { RunningGuild } from '../../services/guild/src/start';

const OWNER = 9_000_000_000n;
const WATCHER = OWNER + 1n;
const OTHERS = [OWNER + 2n, OWNER + 3n, OWNER + 4n];
const LATE = OWNER + 5n;

describe('guild + gateway – large guilds: passive sessions and the member list', () => {
  let guild: RunningGuild;
  let gateway: RunningGateway;
  let api: ServiceClient<typeof guildV1.GuildService>;
  let watcher: TestGatewayClient;

  beforeAll(async () => {
    guild = await startEmbeddedGuild({ GUILD_PASSIVE_THRESHOLD: '3' });
    gateway = await startEmbeddedGateway({ GUILD_ADDRESS: `127.0.0.1:${guild.grpcPort}` });
    api = createClient(guildV1.GuildService, `127.0.0.1:${guild.grpcPort}`);
  });
  afterAll(async () => {
    watcher?.ws.terminate();
    if (api) closeClient(api);
    await gateway?.context.lifecycle.shutdown('test done');
    await guild?.context.lifecycle.shutdown('test done');
  });

  /** Waits for a frame without consuming the ones before it (the test reads those afterwards). */
  const seen = async (client: TestGatewayClient, match: (p: GatewayPayload) => boolean) => {
    const deadline = Date.now() + 10_000;
    while (!client.received.some(match)) {
      if (Date.now() > deadline) throw new Error(`no matching frame; got ${JSON.stringify(client.received.map((p) => p.t))}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  const messageIds = (frames: GatewayPayload[]) => frames.filter((p) => p.t === 'MESSAGE_CREATE').map((p) => (p.d as { id: string }).id);

  it('sends a passive session only state changes and mentions, an active one everything plus its member list', async () => {
    for (const [i, id] of [OWNER, WATCHER, ...OTHERS, LATE].entries()) await api.upsertUser({ user: { id: String(id), username: `user${i}` } });
    const { guild: created } = await api.createGuild({ name: 'large', ownerId: String(OWNER) });
    const guildId = created!.id;
    for (const id of [WATCHER, ...OTHERS]) await api.addMember({ guildId, user: { id: String(id) } });
    const channelId = (await api.getGuild({ guildId })).channels[0]!.id;

    watcher = await TestGatewayClient.connect(gateway.edge.server.port);
    await watcher.next((p) => p.op === 10);
    watcher.send({ op: 2, d: { token: tokenFor(gateway, WATCHER), intents: GatewayIntent.GUILDS | GatewayIntent.GUILD_MESSAGES, properties: { os: 'l', browser: 'b', device: 'd' } } });
    await watcher.dispatch('GUILD_CREATE');

    // Passive: a plain message is not sent, a mention is, a state change is.
    const say = async (content: string, mentions: bigint[] = []) =>
      (await api.createMessage({ authorId: String(OWNER), channelId, content, mentionUserIds: mentions.map(String) })).message!.id;
    const plain = await say('not for you');
    const mention = await say('hey watcher', [WATCHER]);
    await api.updateGuild({ guildId, name: 'large, renamed' });
    // One guild, one partition, one order: once GUILD_UPDATE is here, both messages were decided.
    await seen(watcher, (p) => p.t === 'GUILD_UPDATE');
    expect(messageIds(watcher.received)).toEqual([mention]);
    expect(messageIds(watcher.received)).not.toContain(plain);
    watcher.received.length = 0;

    // op 14: active in the guild, subscribed to the first 100 entries of #general's member list.
    watcher.send({ op: 14, d: { guild_id: guildId, typing: true, activities: true, channels: { [channelId]: [[0, 99]] } } });
    const sync = await watcher.dispatch('GUILD_MEMBER_LIST_UPDATE');
    const syncOps = (sync.d as { ops: { op: string; range?: number[]; items?: unknown[] }[] }).ops;
    expect(syncOps[0]).toMatchObject({ op: 'SYNC', range: [0, 99] });
    expect(JSON.stringify(syncOps[0]!.items)).toContain(String(WATCHER)); // online: it has a session

    const active = await say('now you see everything');
    await watcher.next((p) => p.t === 'MESSAGE_CREATE' && (p.d as { id: string }).id === active);

    // A new member with a session comes online: the subscribed list gets ops.
    await api.addMember({ guildId, user: { id: String(LATE) } });
    const late = await TestGatewayClient.connect(gateway.edge.server.port);
    try {
      await late.next((p) => p.op === 10);
      late.send({ op: 2, d: { token: tokenFor(gateway, LATE), intents: GatewayIntent.GUILDS, properties: { os: 'l', browser: 'b', device: 'd' } } });
      await late.dispatch('READY');
      const update = await watcher.next((p) => p.t === 'GUILD_MEMBER_LIST_UPDATE' && JSON.stringify(p.d).includes(String(LATE)), 10_000);
      const ops = (update.d as { ops: { op: string }[] }).ops.map((o) => o.op);
      expect(ops.some((op) => op === 'INSERT' || op === 'UPDATE')).toBe(true);
    } finally {
      late.ws.close(1000);
    }
  }, 60_000);
});
