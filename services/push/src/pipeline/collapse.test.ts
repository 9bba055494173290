import { Collapser } from './collapse';

const T0 = 1_700_000_000_000;

function candidate(requestId: string, eventTime: number, collapseKey = 'chan-1', userId = 1n) {
  return { requestId, userId, collapseKey, eventTime };
}

describe('Collapser', () => {
  let now: number;
  let collapser: Collapser;

  beforeEach(() => {
    now = T0;
    collapser = new Collapser({ windowMs: 1000, now: () => now });
  });

  it('collapses the same user and collapse key within the window into the first notification', () => {
    expect(collapser.admit(candidate('a', T0))).toBe('send');
    collapser.complete('a');
    expect(collapser.admit(candidate('b', T0 + 999))).toBe('collapsed');
  });

  it('collapses a later request while the first is still being sent', () => {
    expect(collapser.admit(candidate('a', T0))).toBe('send');
    expect(collapser.admit(candidate('b', T0 + 10))).toBe('collapsed');
  });

  it('sends again once the window has passed, measured between record timestamps', () => {
    collapser.admit(candidate('a', T0));
    collapser.complete('a');
    expect(collapser.admit(candidate('b', T0 + 1000))).toBe('send');
  });

  it('does not let collapsed requests extend the window', () => {
    collapser.admit(candidate('a', T0));
    collapser.complete('a');
    expect(collapser.admit(candidate('b', T0 + 600))).toBe('collapsed');
    expect(collapser.admit(candidate('c', T0 + 1200))).toBe('send');
  });

  it('never collapses different users, different keys, or an empty key', () => {
    collapser.admit(candidate('a', T0));
    expect(collapser.admit(candidate('b', T0, 'chan-1', 2n))).toBe('send');
    expect(collapser.admit(candidate('c', T0, 'chan-2'))).toBe('send');
    expect(collapser.admit(candidate('d', T0, ''))).toBe('send');
    expect(collapser.admit(candidate('e', T0, ''))).toBe('send');
  });

  it('drops a request id seen again (a redelivery) within the window, with or without a collapse key', () => {
    collapser.admit(candidate('a', T0, ''));
    collapser.complete('a');
    expect(collapser.admit(candidate('a', T0, ''))).toBe('duplicate');
    now = T0 + 999;
    expect(collapser.admit(candidate('a', T0, ''))).toBe('duplicate');
  });

  it('drops a request id that is being handled right now', () => {
    collapser.admit(candidate('a', T0, ''));
    expect(collapser.admit(candidate('a', T0, ''))).toBe('duplicate');
  });

  it('forgets settled request ids after the dedupe window (wall clock)', () => {
    collapser.admit(candidate('a', T0, ''));
    collapser.complete('a');
    now = T0 + 1000;
    expect(collapser.admit(candidate('a', T0, ''))).toBe('send');
  });

  it('lets a released (failed or abandoned) request be sent again, and its collapse key with it', () => {
    expect(collapser.admit(candidate('a', T0))).toBe('send');
    collapser.release('a');
    expect(collapser.admit(candidate('a', T0))).toBe('send');
    collapser.release('a');
    expect(collapser.admit(candidate('b', T0 + 1))).toBe('send');
  });

  it('remembers a collapsed request id, so its redelivery is a duplicate', () => {
    collapser.admit(candidate('a', T0));
    collapser.admit(candidate('b', T0 + 1));
    expect(collapser.admit(candidate('b', T0 + 1))).toBe('duplicate');
  });

  it('bounds its memory: the oldest collapse keys are evicted first', () => {
    const small = new Collapser({ windowMs: 60_000, maxCollapseKeys: 2, maxRequestIds: 2, now: () => T0 });
    for (const [id, key] of [['a', 'k1'], ['b', 'k2'], ['c', 'k3']] as const) {
      expect(small.admit(candidate(id, T0, key))).toBe('send');
      small.complete(id);
    }
    expect(small.admit(candidate('d', T0, 'k1'))).toBe('send'); // k1 evicted
    expect(small.admit(candidate('e', T0, 'k3'))).toBe('collapsed');
    expect(small.admit(candidate('a', T0, 'k9'))).toBe('send'); // request id 'a' evicted
  });
});
