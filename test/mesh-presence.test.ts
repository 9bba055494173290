// Presence in `make dev`'s mesh (in-memory event log, PGlite), seen by an unmodified
// @discordjs/ws client: a friend already online is in GUILD_CREATE's `presences`; the friend's
// op 3 reaches the client as PRESENCE_UPDATE (gateway → presence service → coalescing window →
// guild service → gateway), with the client_status of the friend's platform; and when the
// friend's session ends, the friend goes offline.
import { REST } from '@discordjs/rest';
import { CompressionMethod, WebSocketManager, WebSocketShardEvents } from '@discordjs/ws';
import { Mesh, startMesh } from '@switchboard/mesh';
import { GatewayIntent } from '../services/gateway/src/protocol';
import { TestGatewayClient } from '../services/gateway/src/transport/test-client';
import { waitFor } from './support/wait';

interface PresenceDispatch {
  user: { id: string };
  guild_id?: string;
  status: string;
  client_status: Record<string, string>;
  activities: { name: string }[];
}

describe('make dev mesh – presence reaches an unmodified @discordjs/ws client', () => {
  let mesh: Mesh;
  let manager: WebSocketManager | undefined;
  let friend: TestGatewayClient | undefined;

  beforeAll(async () => {
    const ports = Object.fromEntries(
      ['GATEWAY', 'GUILD', 'PRESENCE', 'PUSH'].flatMap((p) => [[`${p}_GRPC_PORT`, '0'], [`${p}_HTTP_PORT`, '0']]),
    );
    mesh = await startMesh({ ...ports, GATEWAY_PUBLIC_PORT: '0', SWITCHBOARD_BIND_HOST: '127.0.0.1', LOG_LEVEL: 'warn', PRESENCE_COALESCE_WINDOW: '200ms' });
  }, 60_000);

  afterAll(async () => {
    friend?.ws.terminate();
    await manager?.destroy();
    await mesh?.stop();
  });

  it('lists an online friend in GUILD_CREATE, then sends the friend\'s changes as PRESENCE_UPDATE', async () => {
    const gateway = mesh.services.gateway;
    const port = gateway.edge.server.port;
    const { demo } = mesh;
    // The friend is online on a phone before the client connects.
    friend = await TestGatewayClient.connect(port);
    await friend.next((p) => p.op === 10);
    friend.send({ op: 2, d: {
      token: gateway.access.signer.sign({ userId: demo.friendId, issuedAt: Math.floor(Date.now() / 1000) - 1 }),
      intents: GatewayIntent.GUILDS, properties: { os: 'android', browser: 'Discord Android', device: 'phone' },
      presence: { status: 'online', since: null, activities: [], afk: false },
    } });
    await friend.dispatch('READY');
    await waitFor(() => mesh.services.presence.owner.presenceOf(demo.friendId)?.status === 'online', 15_000, 'the friend to be online at the presence service');

    await gateway.access.store.setPrivilegedIntents(demo.userId, GatewayIntent.GUILD_PRESENCES);
    const rest = new REST({ api: `http://127.0.0.1:${port}/api`, version: '10' }).setToken(demo.token);
    manager = new WebSocketManager({
      token: demo.token, rest, intents: GatewayIntent.GUILDS | GatewayIntent.GUILD_PRESENCES, compression: CompressionMethod.ZlibNative,
    });
    let guildCreate: { id: string; presences: PresenceDispatch[] } | undefined;
    const updates: PresenceDispatch[] = [];
    manager.on(WebSocketShardEvents.Dispatch, (event) => {
      if (event.t === 'GUILD_CREATE') guildCreate = event.d as unknown as typeof guildCreate;
      if (event.t === 'PRESENCE_UPDATE') updates.push(event.d as unknown as PresenceDispatch);
    });
    await manager.connect();
    await waitFor(() => guildCreate !== undefined, 15_000, 'GUILD_CREATE');
    expect(guildCreate!.id).toBe(demo.guildId);
    expect(guildCreate!.presences).toEqual([
      expect.objectContaining({ user: { id: String(demo.friendId) }, status: 'online', client_status: { mobile: 'online' } }),
    ]);

    friend.send({ op: 3, d: { status: 'idle', since: Date.now(), activities: [{ name: 'a puzzle', type: 0 }], afk: true } });
    await waitFor(() => updates.some((u) => u.status === 'idle'), 15_000, 'PRESENCE_UPDATE idle');
    expect(updates.at(-1)).toMatchObject({
      user: { id: String(demo.friendId) }, guild_id: demo.guildId, status: 'idle', client_status: { mobile: 'idle' }, activities: [{ name: 'a puzzle' }],
    });

    friend.ws.close(1000);
    await waitFor(() => updates.at(-1)?.status === 'offline', 15_000, 'PRESENCE_UPDATE offline');
    expect(updates.at(-1)).toMatchObject({ user: { id: String(demo.friendId) }, status: 'offline', client_status: {} });
  }, 60_000);
});
