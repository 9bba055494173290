import { LeaseTable } from './lease-table';

const START = 1_000_000;

describe('LeaseTable', () => {
  it('keeps a renewed lease live through its TTL and expires it once right after', () => {
    const table = new LeaseTable({ startedAt: START, graceMs: 15_000 });
    table.renew('gw-a', 15_000, START + 100);
    expect(table.takeExpired(START + 15_100)).toEqual([]);
    expect(table.isLive('gw-a', START + 15_100)).toBe(true);
    expect(table.takeExpired(START + 15_101)).toEqual(['gw-a']);
    expect(table.isLive('gw-a', START + 15_101)).toBe(false);
    // Collected: a second check does not expire it again.
    expect(table.takeExpired(START + 20_000)).toEqual([]);
    expect(table.size).toBe(0);
  });

  it('a renewal pushes the expiry back; other gateways expire on their own', () => {
    const table = new LeaseTable({ startedAt: START, graceMs: 15_000 });
    table.renew('gw-a', 10_000, START);
    table.renew('gw-b', 10_000, START);
    table.renew('gw-a', 10_000, START + 8_000);
    expect(table.takeExpired(START + 12_000)).toEqual(['gw-b']);
    expect(table.takeExpired(START + 18_001)).toEqual(['gw-a']);
  });

  it('a goodbye (ttl 0) expires at the next check, not after a TTL', () => {
    const table = new LeaseTable({ startedAt: START, graceMs: 15_000 });
    table.renew('gw-a', 15_000, START);
    table.renew('gw-a', 0, START + 1);
    expect(table.isLive('gw-a', START + 1)).toBe(false);
    expect(table.takeExpired(START + 1)).toEqual(['gw-a']);
  });

  it('a gateway that comes back after expiring holds a lease again', () => {
    const table = new LeaseTable({ startedAt: START, graceMs: 15_000 });
    table.renew('gw-a', 5_000, START);
    expect(table.takeExpired(START + 6_000)).toEqual(['gw-a']);
    table.renew('gw-a', 5_000, START + 7_000);
    expect(table.isLive('gw-a', START + 7_000)).toBe(true);
    expect(table.takeExpired(START + 8_000)).toEqual([]);
  });

  it('spares gateways never heard of until one grace period after start, then names them', () => {
    const table = new LeaseTable({ startedAt: START, graceMs: 15_000 });
    table.renew('gw-live', 15_000, START + 14_000);
    expect(table.unleased(['gw-live', 'gw-dead'], START + 14_999)).toEqual([]);
    expect(table.unleased(['gw-live', 'gw-dead'], START + 15_000)).toEqual(['gw-dead']);
  });
});
