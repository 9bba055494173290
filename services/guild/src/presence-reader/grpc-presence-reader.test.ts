// GrpcPresenceReader over a stand-in client: how ids are batched and answers merged. (Against the
// real presence service: api/presence-reads.test.ts.)
import { create } from '@bufbuild/protobuf';
import { presenceV1 } from '@switchboard/proto';
import { GrpcPresenceReader, PRESENCE_BATCH } from './grpc-presence-reader';
import type { PresenceClient } from './grpc-presence-reader';
import { NO_PRESENCES, presencesOrNone } from './presence-reader';

type Call = { userIds: string[]; timeoutMs: number | undefined; signal: AbortSignal | undefined };

/** Answers every id online on web except those in `offline`; fails when `failing` says so. */
function fakeClient(offline: Set<string> = new Set(), failing: (ids: string[]) => boolean = () => false) {
  const calls: Call[] = [];
  const client: PresenceClient = {
    getPresences: (async (request: { userIds: string[] }, options: { timeoutMs?: number; signal?: AbortSignal } = {}) => {
      calls.push({ userIds: request.userIds, timeoutMs: options.timeoutMs, signal: options.signal });
      if (failing(request.userIds)) throw new Error('UNAVAILABLE');
      const presences = request.userIds.map((userId) =>
        create(presenceV1.UserPresenceSchema, offline.has(userId)
          ? { userId, status: 'offline', activitiesJson: '[]', clientStatus: {} }
          : { userId, status: 'online', activitiesJson: '[]', clientStatus: { web: 'online' } }),
      );
      return create(presenceV1.GetPresencesResponseSchema, { presences });
    }) as unknown as PresenceClient['getPresences'],
  };
  return { client, calls };
}

describe('GrpcPresenceReader', () => {
  it('reads at most 10,000 distinct ids per call and merges the answers', async () => {
    const { client, calls } = fakeClient();
    const reader = new GrpcPresenceReader('unused:1', { client, timeoutMs: 1234 });
    const ids = Array.from({ length: 2 * PRESENCE_BATCH + 1 }, (_, i) => BigInt(i + 1));
    const read = await reader.presencesOf([...ids, ids[0]!, ids[5]!]);
    expect(calls.map((c) => c.userIds.length)).toEqual([PRESENCE_BATCH, PRESENCE_BATCH, 1]);
    expect(new Set(calls.flatMap((c) => c.userIds)).size).toBe(ids.length);
    expect(calls.every((c) => c.timeoutMs === 1234)).toBe(true);
    expect(read.size).toBe(ids.length);
    expect(read.get(7n)).toEqual({ user: { id: '7' }, status: 'online', activities: [], client_status: { web: 'online' } });
  });

  it('leaves offline users out of the map', async () => {
    const { client } = fakeClient(new Set(['2']));
    const read = await new GrpcPresenceReader('unused:1', { client }).presencesOf([1n, 2n, 3n]);
    expect([...read.keys()]).toEqual([1n, 3n]);
  });

  it('passes the caller’s signal to every call', async () => {
    const { client, calls } = fakeClient();
    const signal = new AbortController().signal;
    await new GrpcPresenceReader('unused:1', { client }).presencesOf([1n], signal);
    expect(calls[0]!.signal).toBe(signal);
  });

  it('rejects when any batch fails (all or nothing)', async () => {
    const { client } = fakeClient(new Set(), (ids) => ids.includes(String(PRESENCE_BATCH + 1)));
    const ids = Array.from({ length: PRESENCE_BATCH + 1 }, (_, i) => BigInt(i + 1));
    await expect(new GrpcPresenceReader('unused:1', { client }).presencesOf(ids)).rejects.toThrow('UNAVAILABLE');
  });

  it('makes no call for no ids', async () => {
    const { client, calls } = fakeClient();
    expect((await new GrpcPresenceReader('unused:1', { client }).presencesOf([])).size).toBe(0);
    expect(calls).toEqual([]);
  });
});

describe('presencesOrNone', () => {
  const failing = { presencesOf: async () => Promise.reject(new Error('down')) };

  it('answers none and warns when the reader fails', async () => {
    const warnings: unknown[][] = [];
    const logger = { warn: (...args: unknown[]) => warnings.push(args) } as never;
    expect((await presencesOrNone(failing, [1n], { logger, what: 'GUILD_CREATE' })).size).toBe(0);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]![0]).toMatchObject({ users: 1, for: 'GUILD_CREATE' });
  });

  it('does not warn when the caller cancelled the read', async () => {
    const warnings: unknown[] = [];
    const logger = { warn: (...args: unknown[]) => warnings.push(args) } as never;
    const controller = new AbortController();
    controller.abort();
    expect((await presencesOrNone(failing, [1n], { logger, signal: controller.signal, what: 'GUILD_MEMBERS_CHUNK' })).size).toBe(0);
    expect(warnings).toEqual([]);
  });

  it('NO_PRESENCES reads everyone as offline', async () => {
    expect((await presencesOrNone(NO_PRESENCES, [1n, 2n], { what: 'GUILD_CREATE' })).size).toBe(0);
  });
});
