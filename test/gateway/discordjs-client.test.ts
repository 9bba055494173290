// An unmodified @discordjs/ws WebSocketManager (REST base pointed at the gateway's /api) against a
// real gateway start: it discovers the gateway through GET /api/v10/gateway/bot, connects with
// zlib-stream, identifies, gets READY and dispatches, and after the server drops its connection
// with a resumable code it resumes on its own and gets what it missed, then RESUMED.
import { REST } from '@discordjs/rest';
import { CompressionMethod, WebSocketManager, WebSocketShardEvents } from '@discordjs/ws';
import { CloseCodes, GatewayIntent } from '../../services/gateway/src/protocol';
import { startEmbeddedGateway } from '../../services/gateway/src/testing/embedded-gateway';
import type { RunningGateway } from '../../services/gateway/src/start';

const USER = 175928847299117063n;
const GUILD = String(41771983423143937n);

describe('gateway – an unmodified @discordjs/ws client', () => {
  let gateway: RunningGateway;
  let manager: WebSocketManager | undefined;

  beforeAll(async () => {
    gateway = await startEmbeddedGateway();
  });
  afterAll(async () => {
    await manager?.destroy();
    await gateway?.context.lifecycle.shutdown('test done');
  });

  it('connects, gets READY and dispatches, and resumes with replay after a drop', async () => {
    const token = gateway.access.signer.sign({ userId: USER, issuedAt: Math.floor(Date.now() / 1000) - 1 });
    const port = gateway.edge.server.port;
    const rest = new REST({ api: `http://127.0.0.1:${port}/api`, version: '10' }).setToken(token);
    manager = new WebSocketManager({
      token, rest, intents: GatewayIntent.GUILDS | GatewayIntent.GUILD_MESSAGES, compression: CompressionMethod.ZlibNative,
    });
    const dispatches: { t: string; s: number; id?: string }[] = [];
    manager.on(WebSocketShardEvents.Dispatch, (event) => {
      const id = (event.d as { id?: unknown } | null)?.id;
      dispatches.push({ t: event.t, s: event.s, ...(typeof id === 'string' ? { id } : {}) });
    });
    let resumed = 0;
    manager.on(WebSocketShardEvents.Resumed, () => (resumed += 1));
    await manager.connect();
    await waitFor(() => dispatches.some((d) => d.t === 'READY'));

    const [session] = [...gateway.edge.registry.sessions()];
    gateway.edge.registry.subscribe(session!, GUILD);
    const publish = (id: number) => gateway.edge.registry.dispatchToGuild(GUILD, 'MESSAGE_CREATE', { id: String(id), channel_id: '1', content: 'x' });
    publish(1);
    await waitFor(() => dispatches.some((d) => d.id === '1'));

    session!.closeConnection(CloseCodes.UNKNOWN_ERROR, 'test drop');
    publish(2);
    publish(3);
    await waitFor(() => resumed === 1 && dispatches.some((d) => d.id === '3'));
    expect(dispatches.map((d) => [d.t, d.s, d.id])).toEqual([
      ['READY', 1, undefined],
      ['MESSAGE_CREATE', 2, '1'],
      ['MESSAGE_CREATE', 3, '2'],
      ['MESSAGE_CREATE', 4, '3'],
      ['RESUMED', 5, undefined],
    ]);
    expect(session!.state).toBe('ready');
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
