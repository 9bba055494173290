import { GatewayIntent } from '../protocol';
import { Session } from './session';
import { identifyPayload, RecordingLink, testRig } from './test-support';
import type { TestRig } from './test-support';

const settle = () => jest.advanceTimersByTimeAsync(0);

async function readySession(rig: TestRig, overrides: Record<string, unknown> = {}): Promise<{ session: Session; link: RecordingLink }> {
  const link = new RecordingLink();
  const session = new Session(rig.env, link);
  link.send(identifyPayload(overrides));
  await settle();
  return { session, link };
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('gateway session – handshake', () => {
  it('sends HELLO with the configured heartbeat interval first', () => {
    const rig = testRig({ heartbeatIntervalMs: 30_000 });
    const link = new RecordingLink();
    const session = new Session(rig.env, link);
    expect(link.frames[0]).toEqual({ op: 10, d: { heartbeat_interval: 30_000 } });
    expect(session.state).toBe('hello-sent');
  });

  it('accepts IDENTIFY before the first heartbeat and sends READY then one GUILD_CREATE per guild', async () => {
    const rig = testRig({ resumeGatewayUrl: 'ws://gw.test' });
    rig.guilds.add(1001n, { id: '4194304', payload: { id: '4194304', name: 'a' } }).add(1001n, { id: '8388608', payload: { id: '8388608', name: 'b' } });
    const { session, link } = await readySession(rig);
    expect(session.state).toBe('ready');
    const [ready, ...creates] = link.dispatches();
    expect(ready).toMatchObject({ t: 'READY', s: 1, d: { v: 10, user: { id: '1001' }, session_id: session.id, resume_gateway_url: 'ws://gw.test', application: { id: '1001', flags: 0 } } });
    expect(ready!.d.guilds).toEqual([{ id: '4194304', unavailable: true }, { id: '8388608', unavailable: true }]);
    expect(ready!.d.shard).toBeUndefined();
    expect(creates.map((frame) => [frame.t, frame.s, frame.d.name])).toEqual([['GUILD_CREATE', 2, 'a'], ['GUILD_CREATE', 3, 'b']]);
    expect(rig.registry.get(session.id!)).toBe(session);
  });

  it('echoes shard in READY when given and answers heartbeats with op 11', async () => {
    const { link } = await readySession(testRig(), { shard: [1, 2] });
    expect(link.dispatches()[0]!.d.shard).toEqual([1, 2]);
    link.send({ op: 1, d: 1 });
    expect(link.frames.at(-1)).toEqual({ op: 11 });
  });

  it('answers op 9 d:false when the identify gate refuses, and lets the client identify again', async () => {
    const rig = testRig();
    rig.gate.denyNext = 1;
    const link = new RecordingLink();
    const session = new Session(rig.env, link);
    link.send(identifyPayload());
    await settle();
    expect(link.frames.at(-1)).toEqual({ op: 9, d: false });
    link.send(identifyPayload());
    await settle();
    expect(session.state).toBe('ready');
  });

  it('forwards op 3 to the presence sink and op 8 to the member requester; ignores op 4', async () => {
    const rig = testRig();
    const { session, link } = await readySession(rig);
    link.send({ op: 3, d: { since: null, activities: [], status: 'idle', afk: false } });
    link.send({ op: 8, d: { guild_id: '1', query: '', limit: 0 } });
    link.send({ op: 4, d: { guild_id: '1', channel_id: null, self_mute: false, self_deaf: false } });
    expect(rig.presence.updates).toEqual([{ sessionId: session.id, userId: 1001n, presence: { since: null, activities: [], status: 'idle', afk: false } }]);
    expect(rig.members.requests[0]).toMatchObject({ sessionId: session.id, request: { guild_id: '1' } });
    expect(link.closedWith).toBeUndefined();
  });

  it('asks for a heartbeat with op 1 when the server wants one', async () => {
    const { session, link } = await readySession(testRig());
    session.requestHeartbeat();
    expect(link.frames.at(-1)).toEqual({ op: 1, d: null });
  });
});

describe('gateway session – heartbeats', () => {
  it('closes with 4009 when no heartbeat arrives within interval + slack, and keeps the session resumable', async () => {
    const rig = testRig({ heartbeatIntervalMs: 10_000, heartbeatSlackMs: 5_000 });
    const { session, link } = await readySession(rig);
    await jest.advanceTimersByTimeAsync(9_000);
    link.send({ op: 1, d: 3 });
    await jest.advanceTimersByTimeAsync(14_000);
    expect(link.closedWith).toBeUndefined();
    await jest.advanceTimersByTimeAsync(2_000);
    expect(link.closedWith?.code).toBe(4009);
    expect(session.state).toBe('detached');
  });

  it('ends a detached session when the resume window is over', async () => {
    const rig = testRig({ resumeWindowMs: 60_000 });
    const { session, link } = await readySession(rig);
    link.drop(1006);
    expect(session.state).toBe('detached');
    await jest.advanceTimersByTimeAsync(61_000);
    expect(session.state).toBe('closed');
    expect(rig.registry.get(session.id!)).toBeUndefined();
  });

  it('ends the session when the client closes with 1000', async () => {
    const rig = testRig();
    const { session, link } = await readySession(rig);
    link.drop(1000);
    expect(session.state).toBe('closed');
  });
});

interface CloseCase {
  name: string;
  code: number;
  run: (rig: TestRig) => Promise<RecordingLink>;
}

async function fresh(rig: TestRig, ...frames: unknown[]): Promise<RecordingLink> {
  const link = new RecordingLink();
  new Session(rig.env, link);
  for (const frame of frames) link.send(frame);
  await settle();
  return link;
}

const closeCases: CloseCase[] = [
  { name: 'unknown opcode', code: 4001, run: (rig) => fresh(rig, { op: 42, d: null }) },
  { name: 'bad JSON', code: 4002, run: (rig) => fresh(rig, '{"op": 2, ') },
  { name: 'oversize frame', code: 4002, run: (rig) => fresh(rig, JSON.stringify({ op: 1, d: 'x'.repeat(5000) })) },
  { name: 'IDENTIFY without properties', code: 4002, run: (rig) => fresh(rig, { op: 2, d: { token: 't', intents: 0 } }) },
  { name: 'large_threshold out of range', code: 4002, run: (rig) => fresh(rig, identifyPayload({ large_threshold: 300 })) },
  { name: 'op before IDENTIFY', code: 4003, run: (rig) => fresh(rig, { op: 3, d: { status: 'online', activities: [] } }) },
  { name: 'bad token', code: 4004, run: (rig) => fresh(rig, identifyPayload({ token: 'nope' })) },
  {
    name: 'second IDENTIFY', code: 4005,
    run: async (rig) => {
      const { link } = await readySession(rig);
      link.send(identifyPayload());
      return link;
    },
  },
  {
    name: 'RESUME with a future seq', code: 4007,
    run: async (rig) => {
      const { session, link } = await readySession(rig);
      link.drop();
      return fresh(rig, { op: 6, d: { token: 'good-token', session_id: session.id, seq: 99 } });
    },
  },
  { name: 'rate limit', code: 4008, run: (rig) => fresh({ ...rig, env: { ...rig.env, ports: { ...rig.env.ports, commandLimiter: () => ({ hit: () => false }) } } }, identifyPayload()) },
  {
    name: 'heartbeat timeout', code: 4009,
    run: async (rig) => {
      const link = await fresh(rig);
      await jest.advanceTimersByTimeAsync(rig.env.settings.heartbeatIntervalMs + rig.env.settings.heartbeatSlackMs + 2000);
      return link;
    },
  },
  { name: 'shard id >= count', code: 4010, run: (rig) => fresh(rig, identifyPayload({ shard: [2, 2] })) },
  { name: 'negative shard', code: 4010, run: (rig) => fresh(rig, identifyPayload({ shard: [-1, 2] })) },
  { name: 'unknown intent bits', code: 4013, run: (rig) => fresh(rig, identifyPayload({ intents: 1 << 17 })) },
  { name: 'privileged intent not granted', code: 4014, run: (rig) => fresh(rig, identifyPayload({ intents: GatewayIntent.GUILD_MEMBERS })) },
];

describe('gateway session – close codes', () => {
  it.each(closeCases)('closes with $code on $name', async ({ code, run }) => {
    const link = await run(testRig());
    expect(link.closedWith?.code).toBe(code);
  });
});
