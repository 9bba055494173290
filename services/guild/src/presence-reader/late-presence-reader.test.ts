import { LatePresenceReader } from './late-presence-reader';
import type { PresencePayload } from './presence-payload';

describe('LatePresenceReader', () => {
  it('reads everyone as offline until bound, then reads through the bound reader', async () => {
    const late = new LatePresenceReader();
    expect((await late.presencesOf([1n])).size).toBe(0);
    const online: PresencePayload = { user: { id: '1' }, status: 'online', activities: [], client_status: { web: 'online' } };
    const signals: (AbortSignal | undefined)[] = [];
    late.bind({ presencesOf: async (ids, signal) => (signals.push(signal), new Map(ids.map((id) => [id, online]))) });
    const signal = new AbortController().signal;
    expect(await late.presencesOf([1n], signal)).toEqual(new Map([[1n, online]]));
    expect(signals).toEqual([signal]);
  });
});
