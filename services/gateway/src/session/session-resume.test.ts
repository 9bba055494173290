import { jsonEncoding } from '../codec';
import { Session } from './session';
import { identifyPayload, RecordingLink, testRig } from './test-support';
import type { TestRig } from './test-support';

const settle = () => jest.advanceTimersByTimeAsync(0);
const GUILD = '4194304';

async function readySession(rig: TestRig): Promise<{ session: Session; link: RecordingLink }> {
  rig.guilds.add(1001n, { id: GUILD, payload: { id: GUILD } });
  const link = new RecordingLink();
  const session = new Session(rig.env, link);
  link.send(identifyPayload());
  await settle();
  return { session, link };
}

async function resume(rig: TestRig, d: Record<string, unknown>): Promise<RecordingLink> {
  const link = new RecordingLink();
  new Session(rig.env, link);
  link.send({ op: 6, d: { token: 'good-token', ...d } });
  await settle();
  return link;
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('gateway session – resume', () => {
  it('replays missed dispatches in order, then RESUMED, and continues with the old sequence', async () => {
    const rig = testRig();
    const { session, link } = await readySession(rig); // READY s1, GUILD_CREATE s2
    rig.registry.dispatchToGuild(GUILD, 'MESSAGE_CREATE', { id: '1', content: 'a' });
    link.drop(1006);
    rig.registry.dispatchToGuild(GUILD, 'MESSAGE_CREATE', { id: '2', content: 'b' });
    rig.registry.dispatchToGuild(GUILD, 'MESSAGE_CREATE', { id: '3', content: 'c' });
    const next = await resume(rig, { session_id: session.id, seq: 3 });
    expect(next.dispatches().map((frame) => [frame.t, frame.s, frame.d.id])).toEqual([
      ['MESSAGE_CREATE', 4, '2'],
      ['MESSAGE_CREATE', 5, '3'],
      ['RESUMED', 6, undefined],
    ]);
    expect(session.state).toBe('ready');
    rig.registry.dispatchToGuild(GUILD, 'MESSAGE_CREATE', { id: '4' });
    expect(next.dispatches().at(-1)).toMatchObject({ s: 7, d: { id: '4' } });
    next.send({ op: 1, d: 7 });
    expect(next.frames.at(-1)).toEqual({ op: 11 });
  });

  it('hands the same encoded dispatch objects to the replay buffer, not copies', async () => {
    const rig = testRig();
    const { session } = await readySession(rig);
    const other = await readySession(rig);
    const encode = jest.spyOn(jsonEncoding, 'encodeDispatch');
    rig.registry.dispatchToGuild(GUILD, 'MESSAGE_CREATE', { id: '1' });
    expect(encode).toHaveBeenCalledTimes(1);
    const mine = session.replayBuffer!.after(session.seq - 1);
    const theirs = other.session.replayBuffer!.after(other.session.seq - 1);
    expect(mine.kind === 'ok' && theirs.kind === 'ok' && mine.dispatches[0] === theirs.dispatches[0]).toBe(true);
  });

  it('answers op 9 d:false for an unknown session id', async () => {
    const link = await resume(testRig(), { session_id: 's1.eA.00000000000000000000000000000000', seq: 1 });
    expect(link.frames.at(-1)).toEqual({ op: 9, d: false });
    expect(link.closedWith).toBeUndefined();
  });

  it('answers op 9 d:false when the seq is older than the buffer holds', async () => {
    const rig = testRig({ replay: { maxEvents: 2, maxBytes: 1 << 20 } });
    const { session, link } = await readySession(rig);
    link.drop(1006);
    for (let i = 0; i < 4; i += 1) rig.registry.dispatchToGuild(GUILD, 'MESSAGE_CREATE', { id: String(i) });
    const next = await resume(rig, { session_id: session.id, seq: 2 });
    expect(next.frames.at(-1)).toEqual({ op: 9, d: false });
  });

  it('invalidates a detached session whose buffer overflows, so a later RESUME gets op 9 d:false', async () => {
    const rig = testRig({ replay: { maxEvents: 3, maxBytes: 1 << 20 } });
    const { session, link } = await readySession(rig);
    link.send({ op: 1, d: 2 }); // client confirmed READY and GUILD_CREATE
    link.drop(1006);
    for (let i = 0; i < 4; i += 1) rig.registry.dispatchToGuild(GUILD, 'MESSAGE_CREATE', { id: String(i) });
    expect(session.state).toBe('closed');
    const next = await resume(rig, { session_id: session.id, seq: 2 });
    expect(next.frames.at(-1)).toEqual({ op: 9, d: false });
  });

  it('refuses a token of another user with op 9 d:false', async () => {
    const rig = testRig();
    const { session, link } = await readySession(rig);
    link.drop(1006);
    const next = await resume(rig, { token: 'other-token', session_id: session.id, seq: 2 });
    expect(next.frames.at(-1)).toEqual({ op: 9, d: false });
  });

  it('takes over from a zombie connection that is still open', async () => {
    const rig = testRig();
    const { session, link } = await readySession(rig);
    const next = await resume(rig, { session_id: session.id, seq: 2 });
    expect(link.closedWith?.code).toBe(4000);
    expect(next.dispatches().map((frame) => frame.t)).toEqual(['RESUMED']);
    link.drop(4000); // the zombie's close event arrives later and changes nothing
    expect(session.state).toBe('ready');
  });
});
