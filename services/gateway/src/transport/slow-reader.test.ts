import { randomBytes } from 'node:crypto';
import type { TransportCompressionName } from '../codec';
import { CountingSessionCap } from '../session/fakes';
import { identifyPayload, testRig } from '../session/test-support';
import { GatewayServer } from './gateway-server';
import { TestGatewayClient } from './test-client';


describe('gateway connection – slow reader', () => {
  // Compressed connections too: the bound counts compressed bytes, and the per-connection context
  // must not keep growing (random payloads, so compression cannot hide the backlog).
  it.each<[string, TransportCompressionName | undefined]>([
    ['no compression', undefined],
    ['zlib-stream', 'zlib-stream'],
    ['zstd-stream', 'zstd-stream'],
  ])('bounds what a client that never reads costs, closes it with 4000 and keeps its session resumable (%s)', async (_label, compression) => {
    // A replay bound well above what the socket buffers can hold, so the send-queue bound is what
    // trips (a detached session whose replay buffer overflows is ended, by design).
    const rig = testRig({ replay: { maxEvents: 10_000, maxBytes: 64 << 20 } });
    const guild = String(1n << 22n);
    rig.guilds.add(1001n, { id: guild, payload: { id: guild } });
    const maxQueuedBytes = 256 * 1024;
    const server = await GatewayServer.start({ host: '127.0.0.1', port: 0, env: rig.env, cap: new CountingSessionCap(), maxQueuedBytes });
    try {
      const client = await TestGatewayClient.connect(server.port, { compression });
      client.send(identifyPayload());
      await client.dispatch('READY');
      const [session] = [...rig.registry.sessions()];
      // The client stops reading: its kernel buffers fill, then the server's socket buffer grows.
      // (ws's own data listener would resume the socket once its parser drains, so it goes too.)
      const raw = (client.ws as unknown as { _socket: import('node:net').Socket })._socket;
      raw.removeAllListeners('data');
      raw.pause();
      let turns = 0;
      while (session!.state === 'ready' && turns < 5000) {
        for (let i = 0; i < 8; i += 1) {
          rig.registry.dispatchToGuild(guild, 'GUILD_UPDATE', { id: guild, description: randomBytes(12 * 1024).toString('base64') });
        }
        await new Promise((resolve) => setImmediate(resolve));
        turns += 1;
      }
      expect(session!.state).toBe('detached');
      // Bounded: the replay buffer's bytes are shared references; nothing else grew past the bound.
      expect(session!.replayBuffer!.bytes).toBeLessThanOrEqual(rig.env.settings.replay.maxBytes);
      const resumed = await TestGatewayClient.connect(server.port, { compression });
      resumed.send({ op: 6, d: { token: 'good-token', session_id: session!.id, seq: session!.seq - 3 } });
      expect((await resumed.dispatch('RESUMED')).s).toBe(session!.seq);
      resumed.ws.close(1000);
      client.ws.terminate();
    } finally {
      await server.close();
      rig.wheel.stop();
    }
  });
});
