// End to end in one process: a real embedded guild service (PGlite, in-memory event log, the real
// Fanout owner) and a real embedded gateway linked to it, driven over WebSockets: READY carries
// the user's guilds, messages written through the guild API reach the sessions that may see them,
// a member added later gets GUILD_CREATE and the guild's events, op 8 gets its chunks.
import { guildV1 } from '@switchboard/proto';
import { closeClient, createClient } from '@switchboard/runtime';
import type { ServiceClient } from '@switchboard/runtime';
import { startEmbeddedGuild } from '../../services/guild/src/testing/embedded-guild';
import type { RunningGuild } from '../../services/guild/src/start';
import type { RunningGateway } from '../../services/gateway/src/start';
import { startEmbeddedGateway } from '../../services/gateway/src/testing/embedded-gateway';
import { DEFAULT_INTENTS, ready } from '../../services/gateway/src/guild-link/fake-guild-server';

const OWNER = 675928847299117063n;
const JOINER = 675928847299117064n;

describe('guild link – against the real guild service', () => {
  let guild: RunningGuild;
  let gateway: RunningGateway;
  let api: ServiceClient<typeof guildV1.GuildService>;

  beforeAll(async () => {
    guild = await startEmbeddedGuild();
    await guild.joined;
    const address = `127.0.0.1:${guild.grpcPort}`;
    gateway = await startEmbeddedGateway({ GUILD_ADDRESS: address, GATEWAY_IDENTIFY_INTERVAL: '1ms', GATEWAY_DRAIN_WINDOW: '0' });
    api = createClient(guildV1.GuildService, address);
    for (const [id, username] of [[OWNER, 'owner'], [JOINER, 'joiner']] as const) {
      await api.upsertUser({ user: { id: String(id), username } });
    }
  });

  afterAll(async () => {
    closeClient(api);
    await gateway?.context.lifecycle.shutdown('test done');
    await guild?.context.lifecycle.shutdown('test done');
  });

  it('streams a guild from READY to its messages, and a later member from GUILD_CREATE on', async () => {
    const created = await api.createGuild({ name: 'linked', ownerId: String(OWNER) });
    const guildId = created.guild!.id;
    const channel = await api.createChannel({ actorId: String(OWNER), guildId, type: 0, name: 'general' });
    const channelId = channel.channel!.id;

    const owner = await ready(gateway, OWNER);
    expect((await owner.client.dispatch('GUILD_CREATE')).d).toMatchObject({ id: guildId, name: 'linked' });
    await api.createMessage({ authorId: String(OWNER), channelId, content: 'hello' });
    expect((await owner.client.dispatch('MESSAGE_CREATE')).d).toMatchObject({ channel_id: channelId, content: 'hello' });

    const joiner = await ready(gateway, JOINER, { intents: DEFAULT_INTENTS | (1 << 12) });
    await api.addMember({ guildId, user: { id: String(JOINER) } });
    expect((await joiner.client.dispatch('GUILD_CREATE')).d).toMatchObject({ id: guildId });
    await api.createMessage({ authorId: String(OWNER), channelId, content: 'welcome' });
    // Not the author, not mentioned, no MESSAGE_CONTENT intent: content stripped.
    expect((await joiner.client.dispatch('MESSAGE_CREATE')).d).toMatchObject({ channel_id: channelId, content: '' });

    owner.client.send({ op: 8, d: { guild_id: guildId, user_ids: [String(JOINER)], nonce: 'who' } });
    expect((await owner.client.dispatch('GUILD_MEMBERS_CHUNK')).d).toMatchObject({ guild_id: guildId, nonce: 'who' });
    owner.client.ws.close(1000);
    joiner.client.ws.close(1000);
  });
});
