// An unmodified @discordjs/ws WebSocketManager (REST base pointed at the gateway's /api) against a
// real gateway linked to a real guild service (embedded mode): it discovers the gateway through
// GET /api/v10/gateway/bot, connects with zlib-stream, identifies, gets READY (its guild listed as
// unavailable) then GUILD_CREATE, receives MESSAGE_CREATEs published through the guild service's
// gRPC API, and after the server drops its connection with a resumable code it resumes on its own
// and gets the messages it missed, in order, then RESUMED.
import { REST } from '@discordjs/rest';
import { CompressionMethod, WebSocketManager, WebSocketShardEvents } from '@discordjs/ws';
import { guildV1 } from '@switchboard/proto';
import { closeClient, createClient } from '@switchboard/runtime';
import type { ServiceClient } from '@switchboard/runtime';
import { CloseCodes, GatewayIntent } from '../../services/gateway/src/protocol';
import { startEmbeddedGateway } from '../../services/gateway/src/testing/embedded-gateway';
import type { RunningGateway } from '../../services/gateway/src/start';
import { startEmbeddedGuild } from '../../services/guild/src/testing/embedded-guild';
import type { RunningGuild } from '../../services/guild/src/start';
import { waitFor } from '../support/wait';

const USER = 175928847299117063n;
const FRIEND = 175928847299117064n;

describe('gateway – an unmodified @discordjs/ws client', () => {
  let guild: RunningGuild;
  let gateway: RunningGateway;
  let api: ServiceClient<typeof guildV1.GuildService>;
  let manager: WebSocketManager | undefined;

  beforeAll(async () => {
    guild = await startEmbeddedGuild();
    gateway = await startEmbeddedGateway({ GUILD_ADDRESS: `127.0.0.1:${guild.grpcPort}` });
    api = createClient(guildV1.GuildService, `127.0.0.1:${guild.grpcPort}`);
  });
  afterAll(async () => {
    await manager?.destroy();
    if (api) closeClient(api);
    await gateway?.context.lifecycle.shutdown('test done');
    await guild?.context.lifecycle.shutdown('test done');
  });

  it('connects, gets READY and GUILD_CREATE, receives messages published over gRPC, and resumes with replay after a drop', async () => {
    await api.upsertUser({ user: { id: String(USER), username: 'bot', bot: true } });
    await api.upsertUser({ user: { id: String(FRIEND), username: 'friend' } });
    const { guild: created } = await api.createGuild({ name: 'discord.js guild', ownerId: String(FRIEND) });
    const guildId = created!.id;
    await api.addMember({ guildId, user: { id: String(USER) } });
    const channelId = (await api.getGuild({ guildId })).channels[0]!.id;

    const token = gateway.access.signer.sign({ userId: USER, issuedAt: Math.floor(Date.now() / 1000) - 1 });
    const port = gateway.edge.server.port;
    const rest = new REST({ api: `http://127.0.0.1:${port}/api`, version: '10' }).setToken(token);
    manager = new WebSocketManager({
      token, rest, intents: GatewayIntent.GUILDS | GatewayIntent.GUILD_MESSAGES, compression: CompressionMethod.ZlibNative,
    });
    const dispatches: { t: string; s: number; id?: string }[] = [];
    let ready: { guilds: { id: string; unavailable: boolean }[] } | undefined;
    manager.on(WebSocketShardEvents.Dispatch, (event) => {
      if (event.t === 'READY') ready = event.d as unknown as typeof ready;
      const id = (event.d as { id?: unknown } | null)?.id;
      dispatches.push({ t: event.t, s: event.s, ...(typeof id === 'string' ? { id } : {}) });
    });
    let resumed = 0;
    manager.on(WebSocketShardEvents.Resumed, () => (resumed += 1));
    await manager.connect();
    await waitFor(() => dispatches.some((d) => d.t === 'GUILD_CREATE'));
    expect(ready?.guilds).toEqual([{ id: guildId, unavailable: true }]);

    const publish = async (content: string) => (await api.createMessage({ authorId: String(FRIEND), channelId, content })).message!.id;
    const first = await publish('one');
    await waitFor(() => dispatches.some((d) => d.id === first));

    const [session] = [...gateway.edge.registry.sessions()];
    session!.closeConnection(CloseCodes.UNKNOWN_ERROR, 'test drop');
    const missed = [await publish('two'), await publish('three')];
    await waitFor(() => resumed === 1 && dispatches.some((d) => d.id === missed[1]));
    expect(dispatches.map((d) => [d.t, d.s, d.id])).toEqual([
      ['READY', 1, undefined],
      ['GUILD_CREATE', 2, guildId],
      ['MESSAGE_CREATE', 3, first],
      ['MESSAGE_CREATE', 4, missed[0]],
      ['MESSAGE_CREATE', 5, missed[1]],
      ['RESUMED', 6, undefined],
    ]);
    expect(session!.state).toBe('ready');
  });
});
