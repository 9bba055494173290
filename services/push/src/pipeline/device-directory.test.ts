import { DeviceLookupBatcher, directoryOf } from './device-directory';
import { device, FakeDirectory } from './__tests__/fakes';

describe('DeviceLookupBatcher', () => {
  it('answers concurrent lookups with one directory call', async () => {
    const directory = new FakeDirectory().add(1n, device('fcm', 'a')).add(2n, device('apns', 'b'));
    const batcher = new DeviceLookupBatcher(directory);
    const [one, two, none, oneAgain] = await Promise.all([1n, 2n, 3n, 1n].map((id) => batcher.devicesOf(id)));
    expect(directory.lookups).toEqual([[1n, 2n, 3n]]);
    expect(one).toEqual([device('fcm', 'a')]);
    expect(two).toEqual([device('apns', 'b')]);
    expect(none).toEqual([]);
    expect(oneAgain).toEqual(one);
  });

  it('splits batches at maxBatch users', async () => {
    const directory = new FakeDirectory();
    const batcher = new DeviceLookupBatcher(directory, { maxBatch: 2 });
    await Promise.all([1n, 2n, 3n].map((id) => batcher.devicesOf(id)));
    expect(directory.lookups).toEqual([[1n, 2n], [3n]]);
  });

  it('fails every caller of a failed batch', async () => {
    const directory = new FakeDirectory();
    directory.failLookups = 1;
    const batcher = new DeviceLookupBatcher(directory);
    const results = await Promise.allSettled([batcher.devicesOf(1n), batcher.devicesOf(2n)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    await expect(batcher.devicesOf(1n)).resolves.toEqual([]);
  });
});

describe('directoryOf', () => {
  it('adapts a store that removes tokens by (platform, app, token)', async () => {
    const removed: string[] = [];
    const directory = directoryOf({
      devicesOf: async (ids) => new Map(ids.map((id) => [id, [device('fcm', `t${id}`)]])),
      removeToken: async (platform, appId, token) => (removed.push(`${platform}/${appId}/${token}`), true),
    });
    expect(await directory.devicesOf([5n])).toEqual(new Map([[5n, [device('fcm', 't5')]]]));
    await directory.removeToken(device('apns', 'x', 'com.example'));
    expect(removed).toEqual(['apns/com.example/x']);
  });
});
