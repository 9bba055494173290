// Two gateway instances in one process, each with its own ports, peers of each other over real
// gRPC (GatewayPeerService): a session identified on A resumes on B (B takes it from A, the
// origin named in the session id), op 9 d:false when that cannot work, and a drained A hands all
// its sessions to B without a gap or a duplicate in any client's stream.
import { pack } from 'erlpack';
import { StaticPeerResolver } from '../../services/gateway/src/handoff/peer-resolver';
import type { GatewayPayload } from '../../services/gateway/src/codec';
import { GatewayIntent } from '../../services/gateway/src/protocol';
import { startEmbeddedGateway } from '../../services/gateway/src/testing/embedded-gateway';
import type { RunningGateway } from '../../services/gateway/src/start';
import { TestGatewayClient } from '../../services/gateway/src/transport/test-client';
import { waitFor } from '../support/wait';

const USER = 175928847299117063n;
const GUILD = String(41771983423143937n);
const INTENTS = GatewayIntent.GUILDS | GatewayIntent.GUILD_MESSAGES;

async function startInstance(instanceId: string, peers: StaticPeerResolver, env: Record<string, string> = {}): Promise<RunningGateway> {
  const gateway = await startEmbeddedGateway({ SWITCHBOARD_INSTANCE_ID: instanceId, ...env }, { peers });
  peers.set(instanceId, `127.0.0.1:${gateway.grpcPort}`);
  return gateway;
}

function tokenFor(gateway: RunningGateway, userId: bigint): string {
  return gateway.access.signer.sign({ userId, issuedAt: Math.floor(Date.now() / 1000) - 1 });
}

/** Identifies on `gateway`, subscribes the session to GUILD; returns the client and session id. */
async function identify(gateway: RunningGateway, token: string): Promise<{ client: TestGatewayClient; sessionId: string }> {
  const client = await TestGatewayClient.connect(gateway.edge.server.port);
  expect(await client.next()).toMatchObject({ op: 10 });
  client.send({ op: 2, d: { token, intents: INTENTS, properties: { os: 'linux', browser: 'test', device: 'test' } } });
  const ready = await client.dispatch('READY');
  const sessionId = (ready.d as { session_id: string }).session_id;
  gateway.edge.registry.subscribe(gateway.edge.registry.get(sessionId)!, GUILD);
  return { client, sessionId };
}

async function resume(port: number, token: string, sessionId: string, seq: number): Promise<TestGatewayClient> {
  const client = await TestGatewayClient.connect(port);
  expect(await client.next()).toMatchObject({ op: 10 });
  client.send({ op: 6, d: { token, session_id: sessionId, seq } });
  return client;
}

const idOf = (payload: GatewayPayload): string | undefined => (payload.d as { id?: string } | null)?.id;

describe('gateway – resume on another instance', () => {
  const peers = new StaticPeerResolver();
  let a: RunningGateway;
  let b: RunningGateway;

  beforeAll(async () => {
    const quickStop = { SWITCHBOARD_SHUTDOWN_GRACE: '1s', GATEWAY_DRAIN_WINDOW: '100ms' };
    a = await startInstance('gw-a', peers, quickStop);
    b = await startInstance('gw-b', peers, quickStop);
    peers.set('gw-dead', '127.0.0.1:1');
  });
  afterAll(async () => {
    await a?.context.lifecycle.shutdown('test done');
    await b?.context.lifecycle.shutdown('test done');
  });

  /** What the guild service does: the same event to every gateway instance. */
  const publish = (id: number) => {
    for (const gateway of [a, b]) gateway.edge.registry.dispatchToGuild(GUILD, 'MESSAGE_CREATE', { id: String(id), channel_id: '1', content: `m${id}` });
  };

  it('replays what was missed in order, then RESUMED, and goes on with B\'s fan-out only', async () => {
    const token = tokenFor(a, USER);
    const { client: first, sessionId } = await identify(a, token);
    expect(sessionId.startsWith(`s1.${Buffer.from('gw-a').toString('base64url')}.`)).toBe(true);
    for (const id of [1, 2]) publish(id);
    expect((await first.dispatch('MESSAGE_CREATE')).s).toBe(2);
    expect((await first.dispatch('MESSAGE_CREATE')).s).toBe(3);
    first.ws.terminate();
    await first.closed;
    await waitFor(() => a.edge.registry.get(sessionId)?.state === 'detached');

    for (const id of [3, 4, 5]) publish(id);
    const second = await resume(b.edge.server.port, token, sessionId, 3);
    const frames = [];
    for (let i = 0; i < 4; i += 1) frames.push(await second.next((p) => p.op === 0));
    expect(frames.map((p) => [p.t, p.s, idOf(p)])).toEqual([
      ['MESSAGE_CREATE', 4, '3'],
      ['MESSAGE_CREATE', 5, '4'],
      ['MESSAGE_CREATE', 6, '5'],
      ['RESUMED', 7, undefined],
    ]);
    expect(a.edge.registry.get(sessionId)).toBeUndefined();
    expect(b.edge.registry.get(sessionId)).toMatchObject({ state: 'ready', guildIds: [GUILD] });

    publish(6);
    expect(await second.dispatch('MESSAGE_CREATE')).toMatchObject({ s: 8, d: { id: '6' } });
    second.send({ op: 1, d: 8 });
    await second.next((p) => p.op === 11);
    expect(second.received.filter((p) => p.op === 0)).toEqual([]); // no duplicate of 6 from A

    // A second RESUME of the same session id on A (its origin) now fails: B holds it.
    const third = await resume(a.edge.server.port, token, sessionId, 8);
    expect(await third.next((p) => p.op === 9)).toMatchObject({ d: false });
    third.ws.close(1000);
    second.ws.close(1000);
    await second.closed;
  });

  it('answers op 9 d:false when the origin is unknown, unreachable, or the session is over', async () => {
    const token = tokenFor(a, USER + 100n); // one user per test: IDENTIFY is throttled per user
    const unknownOrigin = `s1.${Buffer.from('gw-nowhere').toString('base64url')}.${'0'.repeat(32)}`;
    const deadOrigin = `s1.${Buffer.from('gw-dead').toString('base64url')}.${'0'.repeat(32)}`;
    const { client, sessionId: ended } = await identify(a, token);
    client.ws.close(1000); // a 1000 close ends the session
    await client.closed;
    await waitFor(() => a.edge.registry.get(ended) === undefined);
    const unknownOnOrigin = `s1.${Buffer.from('gw-a').toString('base64url')}.${'0'.repeat(32)}`;

    for (const sessionId of [unknownOrigin, deadOrigin, ended, unknownOnOrigin]) {
      const attempt = await resume(b.edge.server.port, token, sessionId, 1);
      expect(await attempt.next((p) => p.op === 9, 10_000)).toMatchObject({ op: 9, d: false });
      attempt.ws.close(1000);
    }
  });

  it('refuses a RESUME with another user\'s token without taking the session from its origin', async () => {
    const token = tokenFor(a, USER + 200n);
    const { client, sessionId } = await identify(a, token);
    client.ws.terminate();
    await client.closed;
    await waitFor(() => a.edge.registry.get(sessionId)?.state === 'detached');
    const intruder = await resume(b.edge.server.port, tokenFor(a, USER + 201n), sessionId, 1);
    expect(await intruder.next((p) => p.op === 9)).toMatchObject({ d: false });
    intruder.ws.close(1000);
    expect(a.edge.registry.get(sessionId)).toMatchObject({ state: 'detached', takenBy: undefined });
    // The owner still resumes it (on B).
    const owner = await resume(b.edge.server.port, token, sessionId, 1);
    expect(await owner.dispatch('RESUMED')).toMatchObject({ s: 2 });
    owner.ws.close(1000);
  });

  it('loses nothing published while the session moves (events keep flowing to both instances)', async () => {
    const token = tokenFor(a, USER + 300n);
    const { client: first, sessionId } = await identify(a, token);
    let next = 1;
    const publisher = setInterval(() => publish(next++), 1);
    await waitFor(() => first.received.filter((p) => p.op === 0).length >= 5);
    first.ws.terminate();
    await first.closed;
    const before = first.received.filter((p) => p.op === 0);
    const second = await resume(b.edge.server.port, token, sessionId, before.at(-1)!.s!);
    await waitFor(() => second.received.some((p) => p.t === 'RESUMED'));
    await sleep(30);
    clearInterval(publisher);
    const last = next - 1;
    await waitFor(() => second.received.some((p) => idOf(p) === String(last)));
    expectGapFree([...before, ...second.received.filter((p) => p.op === 0)], last);
    second.ws.close(1000);
  });

  it('orders the handoff: events at A only, at both, then at B only each reach the client once', async () => {
    const token = tokenFor(a, USER + 400n);
    const { client: first, sessionId } = await identify(a, token);
    const ports = b.edge.env.ports;
    const real = ports.handoff!;
    const at = (id: number, ...gateways: RunningGateway[]) => {
      for (const gateway of gateways) gateway.edge.registry.dispatchToGuild(GUILD, 'MESSAGE_CREATE', { id: String(id), channel_id: '1', content: `m${id}` });
    };
    publish(1);
    await waitFor(() => first.received.some((p) => p.op === 0));
    first.ws.terminate();
    await first.closed;
    ports.handoff = {
      take: async (origin, request) => {
        publish(2); // before the take: A delivers it (buffered); B has no such session yet
        const snapshot = await real.take(origin, request);
        at(3, a, b); // taken, not yet subscribed at B: only A's buffer gets it
        return snapshot;
      },
      release: async (origin, id, taker, afterSeq) => {
        at(4, a, b); // subscribed at both: A buffers it, B holds it as pending
        at(5, b); // B got it first...
        at(5, a); // ...A later (fan-outs to instances are not simultaneous)
        const tail = await real.release(origin, id, taker, afterSeq);
        at(6, a, b); // released: only B
        return tail;
      },
    };
    try {
      const second = await resume(b.edge.server.port, token, sessionId, first.received.filter((p) => p.op === 0).at(-1)!.s!);
      await waitFor(() => second.received.some((p) => idOf(p) === '6'));
      expectGapFree([...first.received.filter((p) => p.op === 0), ...second.received.filter((p) => p.op === 0)], 6);
      second.ws.close(1000);
    } finally {
      ports.handoff = real;
    }
  });

  it.each([
    ['etf', false],
    ['json', true],
  ] as const)('re-encodes the replay for the client (encoding %s, payload compression %s)', async (encoding, compress) => {
    const token = tokenFor(a, USER + (encoding === 'etf' ? 600n : 700n));
    const send = (client: TestGatewayClient, payload: unknown) => client.ws.send(encoding === 'etf' ? pack(payload) : JSON.stringify(payload));
    const first = await TestGatewayClient.connect(a.edge.server.port, { encoding });
    await first.next();
    send(first, { op: 2, d: { token, intents: INTENTS, compress, properties: { os: 'linux', browser: 'test', device: 'test' } } });
    const sessionId = ((await first.dispatch('READY')).d as { session_id: string }).session_id;
    a.edge.registry.subscribe(a.edge.registry.get(sessionId)!, GUILD);
    first.ws.terminate();
    await first.closed;
    await waitFor(() => a.edge.registry.get(sessionId)?.state === 'detached');
    const big = 'x'.repeat(2048); // over the payload-compression threshold (not in `content`: no MESSAGE_CONTENT here)
    a.edge.registry.dispatchToGuild(GUILD, 'MESSAGE_CREATE', { id: '1', channel_id: '1', author: { username: big }, mentions: [{ global_name: 'é' }] });
    const second = await TestGatewayClient.connect(b.edge.server.port, { encoding });
    await second.next();
    send(second, { op: 6, d: { token, session_id: sessionId, seq: 1 } });
    expect(await second.next((p) => p.op === 0)).toMatchObject({ t: 'MESSAGE_CREATE', s: 2, d: { id: '1', author: { username: big }, mentions: [{ global_name: 'é' }] } });
    expect(await second.next((p) => p.op === 0)).toMatchObject({ t: 'RESUMED', s: 3 });
    expect(b.edge.registry.get(sessionId)!.shape).toBe(encoding === 'etf' ? 'etf' : 'json+payload-zlib');
    second.ws.close(1000);
  });

  it('refuses (op 9) a RESUME in another encoding than the session\'s, leaving it at its origin', async () => {
    const token = tokenFor(a, USER + 800n);
    const { client, sessionId } = await identify(a, token);
    client.ws.terminate();
    await client.closed;
    await waitFor(() => a.edge.registry.get(sessionId)?.state === 'detached');
    const etf = await TestGatewayClient.connect(b.edge.server.port, { encoding: 'etf' });
    await etf.next();
    etf.ws.send(pack({ op: 6, d: { token, session_id: sessionId, seq: 1 } }));
    expect(await etf.next((p) => p.op === 9)).toMatchObject({ d: false });
    etf.ws.close(1000);
    expect(a.edge.registry.get(sessionId)).toMatchObject({ state: 'detached', takenBy: undefined });
  });

  it('keeps the session (detached, here) when the connection drops during the handoff', async () => {
    const token = tokenFor(a, USER + 900n);
    const { client: first, sessionId } = await identify(a, token);
    publish(1);
    await waitFor(() => first.received.some((p) => p.op === 0));
    first.ws.terminate();
    await first.closed;
    const ports = b.edge.env.ports;
    const real = ports.handoff!;
    let second: TestGatewayClient | undefined;
    ports.handoff = {
      take: (origin, request) => real.take(origin, request),
      release: async (origin, id, taker, afterSeq) => {
        second!.ws.terminate();
        await second!.closed;
        publish(2);
        return real.release(origin, id, taker, afterSeq);
      },
    };
    try {
      second = await resume(b.edge.server.port, token, sessionId, 2);
      await waitFor(() => b.edge.registry.get(sessionId)?.state === 'detached');
    } finally {
      ports.handoff = real;
    }
    expect(a.edge.registry.get(sessionId)).toBeUndefined();
    publish(3);
    const third = await resume(b.edge.server.port, token, sessionId, 2);
    await waitFor(() => third.received.some((p) => p.t === 'RESUMED'));
    expect(third.received.filter((p) => p.op === 0).map((p) => [p.t, p.s, idOf(p)])).toEqual([
      ['MESSAGE_CREATE', 3, '2'],
      ['MESSAGE_CREATE', 4, '3'],
      ['RESUMED', 5, undefined],
    ]);
    third.ws.close(1000);
  });

  it('closes with 4007 on a seq ahead of the session, leaving it at its origin', async () => {
    const token = tokenFor(a, USER + 500n);
    const { client, sessionId } = await identify(a, token);
    client.ws.terminate();
    await client.closed;
    await waitFor(() => a.edge.registry.get(sessionId)?.state === 'detached');
    const attempt = await resume(b.edge.server.port, token, sessionId, 99);
    expect(await attempt.closed).toMatchObject({ code: 4007 });
    expect(a.edge.registry.get(sessionId)).toMatchObject({ state: 'detached', takenBy: undefined });
  });
});

/** Every MESSAGE_CREATE 1..last exactly once and in order, and seqs contiguous from READY's 1. */
function expectGapFree(dispatches: GatewayPayload[], last: number): void {
  expect(dispatches.filter((p) => p.t === 'MESSAGE_CREATE').map((p) => Number(idOf(p)))).toEqual(range(1, last));
  const seqs = dispatches.map((p) => p.s);
  expect(seqs).toEqual(range(2, dispatches.length + 1));
  expect(dispatches.filter((p) => p.t === 'RESUMED')).toHaveLength(1);
}

describe('gateway – drain hands every session to another instance', () => {
  const peers = new StaticPeerResolver();
  let a: RunningGateway;
  let b: RunningGateway;
  afterAll(async () => {
    await a?.context.lifecycle.shutdown('test done');
    await b?.context.lifecycle.shutdown('test done');
  });

  it('op 7 spread over the window, resumes on B served by A until handed off, then A stops; streams gap- and duplicate-free', async () => {
    a = await startInstance('gw-drain-a', peers, { GATEWAY_DRAIN_WINDOW: '1s', SWITCHBOARD_SHUTDOWN_GRACE: '10s' });
    b = await startInstance('gw-drain-b', peers, { SWITCHBOARD_SHUTDOWN_GRACE: '1s' });
    const SESSIONS = 50;
    let next = 1;
    const publish = () => {
      const id = next++;
      for (const gateway of [a, b]) gateway.edge.registry.dispatchToGuild(GUILD, 'MESSAGE_CREATE', { id: String(id), channel_id: '1', content: `m${id}` });
    };
    const clients = await Promise.all(Array.from({ length: SESSIONS }, async (_, i) => {
      const token = tokenFor(a, USER + BigInt(i));
      return { token, ...(await identify(a, token)) };
    }));
    const publisher = setInterval(publish, 2);
    await sleep(50);

    // Each client does what Discord clients do on op 7: reconnect (here: to B) and RESUME. The
    // frames are only read, never consumed, so `received` is each socket's full record.
    const op7At: number[] = [];
    const handedOver = clients.map(async ({ token, sessionId, client: first }) => {
      await waitFor(() => first.received.some((p) => p.op === 7), 15_000);
      op7At.push(Date.now());
      await first.closed;
      const before = first.received.filter((p) => p.op === 0);
      const second = await resume(b.edge.server.port, token, sessionId, before.at(-1)!.s!);
      await waitFor(() => second.received.some((p) => p.t === 'RESUMED'), 15_000);
      return { before, second };
    });
    // SIGTERM as main.ts wires it: graceful shutdown, then exit(0).
    const listeners = new Set([...process.listeners('SIGTERM'), ...process.listeners('SIGINT')]);
    const exited = new Promise<number>((resolve) => a.context.lifecycle.installSignalHandlers(resolve));
    const drainStarted = Date.now();
    try {
      process.emit('SIGTERM', 'SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      for (const signal of ['SIGTERM', 'SIGINT'] as const) {
        for (const listener of process.listeners(signal)) if (!listeners.has(listener)) process.off(signal, listener);
      }
    }
    const drainTook = Date.now() - drainStarted;
    const moved = await Promise.all(handedOver);
    await sleep(30);
    clearInterval(publisher);
    const last = next - 1;

    // op 7 went out spread over the 1 s window, not all at once; A stopped once all were handed off.
    op7At.sort((x, y) => x - y);
    expect(op7At.at(-1)! - op7At[0]!).toBeGreaterThan(700);
    expect(drainTook).toBeLessThan(5_000);
    expect(a.edge.registry.size).toBe(0);
    expect(b.edge.registry.size).toBe(SESSIONS);
    for (const { before, second } of moved) {
      await waitFor(() => second.received.some((p) => idOf(p) === String(last)));
      expectGapFree([...before, ...second.received.filter((p) => p.op === 0)], last);
      second.ws.close(1000);
    }
  }, 60_000);
});

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
