import { aggregatePresence, canonicalJson, samePresence } from './aggregate';
import { OFFLINE } from './presence';
import type { SessionPresence } from './presence';

function session(init: Partial<SessionPresence> & Pick<SessionPresence, 'sessionId'>): SessionPresence {
  return { gatewayInstanceId: 'gw-1', platform: 'desktop', status: 'online', activities: [], since: 0, afk: false, updatedAt: 1000, ...init };
}

describe('aggregatePresence', () => {
  it('is offline with no sessions', () => {
    expect(aggregatePresence([])).toEqual(OFFLINE);
  });

  it('desktop idle + mobile online is online with both client_status entries', () => {
    const presence = aggregatePresence([
      session({ sessionId: 'a', platform: 'desktop', status: 'idle', since: 500, afk: true, updatedAt: 2000 }),
      session({ sessionId: 'b', platform: 'mobile', status: 'online', updatedAt: 1000 }),
    ]);
    expect(presence).toEqual({ status: 'online', activities: [], clientStatus: { desktop: 'idle', mobile: 'online' }, since: 0, afk: false });
  });

  it('closing one session updates client_status', () => {
    const desktop = session({ sessionId: 'a', platform: 'desktop', status: 'idle', since: 500 });
    const mobile = session({ sessionId: 'b', platform: 'mobile', status: 'online' });
    const before = aggregatePresence([desktop, mobile]);
    const after = aggregatePresence([desktop]);
    expect(after).toEqual({ status: 'idle', activities: [], clientStatus: { desktop: 'idle' }, since: 500, afk: false });
    expect(samePresence(before, after)).toBe(false);
  });

  it('orders statuses online > dnd > idle', () => {
    const dnd = session({ sessionId: 'a', platform: 'web', status: 'dnd' });
    const idle = session({ sessionId: 'b', platform: 'mobile', status: 'idle' });
    const online = session({ sessionId: 'c', platform: 'desktop', status: 'online' });
    expect(aggregatePresence([dnd, idle]).status).toBe('dnd');
    expect(aggregatePresence([dnd, idle, online]).status).toBe('online');
  });

  it('gives each platform its best status among its sessions', () => {
    const presence = aggregatePresence([
      session({ sessionId: 'a', platform: 'desktop', status: 'idle' }),
      session({ sessionId: 'b', platform: 'desktop', status: 'dnd' }),
      session({ sessionId: 'c', platform: 'web', status: 'idle' }),
    ]);
    expect(presence.clientStatus).toEqual({ desktop: 'dnd', web: 'idle' });
  });

  it('shows an invisible user as offline with no activities and an empty client_status, even beside an online session', () => {
    const playing = [{ name: 'Chess', type: 0 }];
    const presence = aggregatePresence([
      session({ sessionId: 'a', platform: 'desktop', status: 'invisible', activities: playing }),
      session({ sessionId: 'b', platform: 'mobile', status: 'online', activities: playing }),
    ]);
    expect(presence).toEqual(OFFLINE);
  });

  it('takes activities from the most recently updated non-idle session', () => {
    const presence = aggregatePresence([
      session({ sessionId: 'a', platform: 'desktop', status: 'idle', activities: [{ name: 'Stale', type: 0 }], updatedAt: 3000 }),
      session({ sessionId: 'b', platform: 'mobile', status: 'dnd', activities: [{ name: 'Old', type: 0 }], updatedAt: 1000 }),
      session({ sessionId: 'c', platform: 'web', status: 'online', activities: [{ name: 'New', type: 0 }], updatedAt: 2000 }),
    ]);
    expect(presence.activities).toEqual([{ name: 'New', type: 0 }]);
  });

  it('takes activities from the chosen session when every session is idle', () => {
    const presence = aggregatePresence([
      session({ sessionId: 'a', status: 'idle', activities: [{ name: 'A', type: 0 }], since: 10, updatedAt: 1000 }),
      session({ sessionId: 'b', status: 'idle', activities: [{ name: 'B', type: 0 }], since: 20, afk: true, updatedAt: 2000 }),
    ]);
    expect(presence).toMatchObject({ status: 'idle', activities: [{ name: 'B', type: 0 }], since: 20, afk: true });
  });

  it('breaks equal update times by session id, so every instance picks the same session', () => {
    const a = session({ sessionId: 'a', activities: [{ name: 'A', type: 0 }] });
    const b = session({ sessionId: 'b', activities: [{ name: 'B', type: 0 }] });
    expect(aggregatePresence([a, b])).toEqual(aggregatePresence([b, a]));
  });
});

describe('samePresence', () => {
  it('treats activities that differ only in key order as identical', () => {
    const a = aggregatePresence([session({ sessionId: 'a', activities: [{ name: 'X', type: 0, state: 's' }] })]);
    const b = aggregatePresence([session({ sessionId: 'b', activities: [{ state: 's', type: 0, name: 'X' }] })]);
    expect(samePresence(a, b)).toBe(true);
    expect(canonicalJson({ b: 1, a: [{ d: 1, c: 2 }] })).toBe('{"a":[{"c":2,"d":1}],"b":1}');
  });

  it('sees a change in status, activities, client_status, since or afk', () => {
    const base = aggregatePresence([session({ sessionId: 'a' })]);
    expect(samePresence(base, { ...base })).toBe(true);
    expect(samePresence(base, { ...base, status: 'dnd' })).toBe(false);
    expect(samePresence(base, { ...base, activities: [{ name: 'X', type: 0 }] })).toBe(false);
    expect(samePresence(base, { ...base, clientStatus: { desktop: 'online', web: 'online' } })).toBe(false);
    expect(samePresence(base, { ...base, since: 5 })).toBe(false);
    expect(samePresence(base, { ...base, afk: true })).toBe(false);
  });
});
