import { fromBinary } from '@bufbuild/protobuf';
import { presenceV1 } from '@switchboard/proto';
import { MemoryEventLog, silentEventLogLogger } from '@switchboard/runtime';
import type { EventLog } from '@switchboard/runtime';
import { GatewayLease, PRESENCE_LEASES_TOPIC } from './gateway-lease';

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('GatewayLease', () => {
  let log: MemoryEventLog;
  const leases: { key: string; lease: presenceV1.GatewayLease }[] = [];

  beforeEach(async () => {
    leases.length = 0;
    log = new MemoryEventLog({ logger: silentEventLogLogger });
    await log.ensureTopics([{ name: PRESENCE_LEASES_TOPIC, partitions: 1 }]);
    await log.subscribe({
      groupId: 'lease-reader',
      topics: [PRESENCE_LEASES_TOPIC],
      handler: (record) => void leases.push({ key: record.key, lease: fromBinary(presenceV1.GatewayLeaseSchema, record.value) }),
    });
  });

  afterEach(() => log.close());

  it('renews at start and every interval with its TTL, keyed by the instance id, and says goodbye with ttl 0', async () => {
    const lease = await GatewayLease.start({ eventLog: log, instanceId: 'gw-1', logger: { warn: () => undefined }, intervalMs: 20, ttlMs: 9_000 });
    await until(() => leases.length >= 3, 'three renewals');
    await lease.stop();
    await until(() => leases.at(-1)?.lease.ttlMs === 0n, 'the goodbye');
    const goodbye = leases.length - 1;
    expect(leases.slice(0, goodbye).every(({ key, lease: l }) => key === 'gw-1' && l.gatewayInstanceId === 'gw-1' && l.ttlMs === 9_000n)).toBe(true);
    expect(leases[goodbye]!.lease.gatewayInstanceId).toBe('gw-1');
  });

  it('a failed renewal is logged, not thrown, and the next one still goes out', async () => {
    const warnings: unknown[] = [];
    let failures = 1;
    const flaky: EventLog = Object.assign(Object.create(log) as EventLog, {
      produce: (...args: Parameters<EventLog['produce']>) => (failures-- > 0 ? Promise.reject(new Error('broker down')) : log.produce(...args)),
    });
    const lease = await GatewayLease.start({ eventLog: flaky, instanceId: 'gw-2', logger: { warn: (o: unknown) => void warnings.push(o) }, intervalMs: 20 });
    await until(() => leases.length >= 1, 'a renewal after the failure');
    lease.abandon();
    expect(warnings).toHaveLength(1);
    expect(leases[0]!.lease.ttlMs).toBe(15_000n);
  });

  it('reports the gap since the previous acknowledged renewal, so a renewal after failures shows how long the lease went unrenewed', async () => {
    let clock = 1_000_000;
    let failing = false;
    const gaps: (number | undefined)[] = [];
    const flaky: EventLog = Object.assign(Object.create(log) as EventLog, {
      produce: (...args: Parameters<EventLog['produce']>) => (failing ? Promise.reject(new Error('broker down')) : log.produce(...args)),
    });
    const lease = await GatewayLease.start({
      eventLog: flaky, instanceId: 'gw-3', logger: { warn: () => undefined }, intervalMs: 60_000, ttlMs: 3_000,
      now: () => clock, onRenewed: (gap) => void gaps.push(gap),
    });
    expect(gaps).toEqual([undefined]);
    // Drive renewals by hand (the interval is long): one on time, two failed, one after the outage.
    const renew = () => lease.renewNow();
    clock += 1_000;
    await renew();
    failing = true;
    clock += 1_000;
    await renew();
    clock += 1_000;
    await renew();
    failing = false;
    clock += 1_500;
    await renew();
    expect(gaps).toEqual([undefined, 1_000, 3_500]);
    lease.abandon();
  });
});
