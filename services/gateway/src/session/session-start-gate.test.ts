// The session core consumes a start only for an IDENTIFY that authenticated and that the identify
// concurrency bucket admitted; past the budget it closes with 4008 and registers no session.
import { SessionStartLimit } from '../limits/session-start-limit';
import { Session, SESSION_START_LIMIT_EXHAUSTED } from './session';
import { identifyPayload, RecordingLink, testRig } from './test-support';

const settle = () => jest.advanceTimersByTimeAsync(0);

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('gateway session – session-start budget', () => {
  it('charges neither a refused token nor an IDENTIFY told to wait (op 9), then refuses past the budget with 4008', async () => {
    const rig = testRig();
    const starts = new SessionStartLimit({ total: 1 });
    rig.env.ports.sessionStarts = starts;

    const badToken = new RecordingLink();
    new Session(rig.env, badToken);
    badToken.send(identifyPayload({ token: 'nope' }));
    await settle();
    expect(badToken.closedWith?.code).toBe(4004);

    rig.gate.denyNext = 1;
    const throttled = new RecordingLink();
    new Session(rig.env, throttled);
    throttled.send(identifyPayload());
    await settle();
    expect(throttled.frames.at(-1)).toMatchObject({ op: 9, d: false });
    expect(starts.snapshot(1001n).remaining).toBe(1);

    throttled.send(identifyPayload());
    await settle();
    expect(throttled.dispatches()[0]).toMatchObject({ t: 'READY' });
    expect(starts.snapshot(1001n).remaining).toBe(0);

    const refused = new RecordingLink();
    new Session(rig.env, refused);
    refused.send(identifyPayload());
    await settle();
    expect(refused.closedWith).toEqual({ code: 4008, reason: SESSION_START_LIMIT_EXHAUSTED });
    expect(refused.dispatches()).toEqual([]);
    expect(rig.registry.size).toBe(1);
  });
});
