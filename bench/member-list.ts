// Member list benchmark: builds lists of 10k, 100k and 1M online members (a few hoisted roles,
// random names, offline group enabled so presence changes move members between groups), then
// times each operation in batches: mean ns per op, and the worst batch's ns per op. Prints a
// table and writes bench/results/member-list.json. Run: `npm run bench:member-list` (compiles
// this file and the member list to bench/dist/member-list, then runs node --expose-gc).
// Figures, never assertions: the machine is shared and noisy.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { MemberList } from '../services/guild/src/member-list/member-list';
import type { ListMember, ListRole, MemberStatus } from '../services/guild/src/member-list/member-list-types';
import { seededRandom } from '../services/guild/src/member-list/seeded-random';
import { OrderStatisticSet } from '../services/guild/src/member-list/order-statistic-set';
import { compareSortKeys, sortKeyOf } from '../services/guild/src/member-list/sort-key';
import type { MemberSortKey } from '../services/guild/src/member-list/sort-key';
import { MemberListSubscriptions } from '../services/guild/src/member-list/subscriptions';

/** `-- --sizes 10000,100000` measures other sizes (a quick check); default 10k, 100k, 1M. */
const SIZES = sizesFromArgs() ?? [10_000, 100_000, 1_000_000];
const SEED = 20_261_130;
const BATCHES = 20;
const BATCH = 1000;
const SYNC_BATCH = 100;
const WARMUP_BATCHES = 2;
/** Discord's Rust sorted set, the design's bar for the worst operation at 1M members. */
const TARGET_WORST_US_AT_1M = 3.7;
const ROLES: ListRole[] = Array.from({ length: 5 }, (_, i) => ({ id: BigInt(1000 + i), position: 10 - i, hoist: true }));
const FIRST_USER_ID = 100_000_000_000_000_000n;

interface OpFigures {
  readonly meanNs: number;
  readonly worstBatchNs: number;
  /** The worst batch by process CPU time: leaves out preemption by other processes on this shared machine. */
  readonly worstBatchCpuNs: number;
  /** The worst batch again, less the GC pauses that fell inside batches (V8's, not the set's). */
  readonly worstBatchNsLessGc: number;
  /** Share of the timed batches' wall time spent in GC pauses. */
  readonly gcShare: number;
}

interface Batch {
  readonly ops: number;
  readonly ns: number;
  readonly cpuNs: number;
  /** performance.now() at the start and end, to match GC entries to the batch. */
  readonly from: number;
  readonly to: number;
}

type Random = () => number;

/** GC pauses (start, end in performance.now() ms), delivered by an observer between phases. */
const gcPauses: { from: number; to: number }[] = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcPauses.push({ from: entry.startTime, to: entry.startTime + entry.duration });
}).observe({ entryTypes: ['gc'] });

function randomName(random: Random): string {
  const length = 3 + Math.floor(random() * 12);
  let name = '';
  for (let i = 0; i < length; i++) {
    const r = random();
    if (r < 0.03) name += String.fromCharCode(0x4e00 + Math.floor(random() * 500));
    else if (r < 0.2) name += String.fromCharCode(65 + Math.floor(random() * 26));
    else if (r < 0.3) name += String.fromCharCode(48 + Math.floor(random() * 10));
    else name += String.fromCharCode(97 + Math.floor(random() * 26));
  }
  return name;
}

function randomMember(random: Random, userId: bigint, status: MemberStatus = 'online'): ListMember {
  const hoisted = random() < 0.1 ? [ROLES[Math.floor(random() * ROLES.length)]!.id] : [];
  return {
    userId,
    username: randomName(random),
    globalName: random() < 0.5 ? randomName(random) : null,
    nick: random() < 0.1 ? randomName(random) : null,
    roles: hoisted,
    status,
  };
}

/** Runs `batches` timed batches of `perBatch` calls of `op` (after untimed warm-up batches); `prepare` runs untimed before each. */
function timeBatches(perBatch: number, batches: number, op: (i: number) => void, prepare?: () => void): Batch[] {
  const timed: Batch[] = [];
  for (let b = -WARMUP_BATCHES; b < batches; b++) {
    prepare?.();
    const from = performance.now();
    const cpu = process.cpuUsage();
    const started = process.hrtime.bigint();
    for (let i = 0; i < perBatch; i++) op(i);
    const ns = Number(process.hrtime.bigint() - started);
    const spent = process.cpuUsage(cpu);
    if (b >= 0) timed.push({ ops: perBatch, ns, cpuNs: (spent.user + spent.system) * 1000, from, to: performance.now() });
  }
  return timed;
}

function figuresOf(batches: readonly Batch[]): OpFigures {
  let ns = 0;
  let ops = 0;
  let gcNs = 0;
  let worst = 0;
  let worstCpu = 0;
  let worstLessGc = 0;
  for (const batch of batches) {
    let pausedNs = 0;
    for (const pause of gcPauses) pausedNs += Math.max(0, Math.min(pause.to, batch.to) - Math.max(pause.from, batch.from)) * 1e6;
    ns += batch.ns;
    ops += batch.ops;
    gcNs += pausedNs;
    worst = Math.max(worst, batch.ns / batch.ops);
    worstCpu = Math.max(worstCpu, batch.cpuNs / batch.ops);
    worstLessGc = Math.max(worstLessGc, Math.max(0, batch.ns - pausedNs) / batch.ops);
  }
  return { meanNs: Math.round(ns / ops), worstBatchNs: Math.round(worst), worstBatchCpuNs: Math.round(worstCpu), worstBatchNsLessGc: Math.round(worstLessGc), gcShare: Math.round((gcNs / ns) * 1000) / 1000 };
}

function sizesFromArgs(): number[] | undefined {
  const at = process.argv.indexOf('--sizes');
  return at < 0 ? undefined : process.argv[at + 1]!.split(',').map(Number);
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Lets the GC observer deliver its entries (the timed loops never yield). */
function flushGcEntries(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 20));
}

/** Untimed: `count` picks of members and the status each flips to, alternating between two. */
function flips(random: Random, ids: readonly bigint[], away: Set<bigint>, count: number, from: MemberStatus, to: MemberStatus) {
  const users: bigint[] = [];
  const statuses: MemberStatus[] = [];
  for (let i = 0; i < count; i++) {
    const userId = ids[Math.floor(random() * ids.length)]!;
    const leaving = !away.has(userId);
    if (leaving) away.add(userId);
    else away.delete(userId);
    users.push(userId);
    statuses.push(leaving ? to : from);
  }
  return { users, statuses };
}

async function measureList(size: number) {
  const random = seededRandom(SEED + size);
  const list = new MemberList({ guildId: 1n, roles: ROLES, offlineThreshold: Number.POSITIVE_INFINITY });
  const ids: bigint[] = [];
  const members = Array.from({ length: size }, (_, i) => randomMember(random, FIRST_USER_ID + BigInt(i)));
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const buildStarted = process.hrtime.bigint();
  for (const member of members) list.upsert(member);
  const buildNs = Number(process.hrtime.bigint() - buildStarted) / size;
  for (const member of members) ids.push(member.userId);
  members.length = 0;
  gc();
  // The list's own structures (entries, sort keys, sets, index); the member objects existed before.
  const heapBytesPerMember = Math.round((process.memoryUsage().heapUsed - heapBefore) / size);
  let nextId = FIRST_USER_ID + BigInt(size);
  const batches: Record<string, Batch[]> = {};

  // Insert batches add fresh members; delete batches take the same ones out: the size stays put.
  let fresh: ListMember[] = [];
  const newBatch = () => {
    for (const member of fresh) list.remove(member.userId);
    fresh = Array.from({ length: BATCH }, () => randomMember(random, nextId++));
  };
  batches['insert (upsert new member)'] = timeBatches(BATCH, BATCHES, (i) => void list.upsert(fresh[i]!), newBatch);
  batches['delete (remove member)'] = timeBatches(BATCH, BATCHES, (i) => void list.remove(fresh[i]!.userId), () => {
    for (const member of fresh) list.upsert(member);
  });

  // online ⇄ idle keeps the member in its group: one UPDATE in place.
  let flip: { users: bigint[]; statuses: MemberStatus[] } = { users: [], statuses: [] };
  const idle = new Set<bigint>();
  batches['update in place (online⇄idle)'] = timeBatches(BATCH, BATCHES, (i) => void list.setPresence(flip.users[i]!, flip.statuses[i]!), () => {
    flip = flips(random, ids, idle, BATCH, 'online', 'idle');
  });
  let targets: bigint[] = [];
  batches['rank (indexOf member)'] = timeBatches(BATCH, BATCHES, (i) => void list.indexOf(targets[i]!), () => {
    targets = Array.from({ length: BATCH }, () => ids[Math.floor(random() * ids.length)]!);
  });
  batches['at (itemAt index)'] = timeBatches(BATCH, BATCHES, () => void list.itemAt(Math.floor(random() * list.length)));

  // online ⇄ offline moves the member between its group and the offline group.
  const offline = new Set<bigint>();
  batches['presence move between groups'] = timeBatches(BATCH, BATCHES, (i) => void list.setPresence(flip.users[i]!, flip.statuses[i]!), () => {
    flip = flips(random, ids, offline, BATCH, 'online', 'offline');
  });

  const subscriptions = new MemberListSubscriptions<number>(list);
  batches['subscribe SYNC of 100 items'] = timeBatches(SYNC_BATCH, BATCHES, (i) => {
    const start = Math.floor((random() * list.length) / 100) * 100;
    subscriptions.subscribe(i % 50, [[start, start + 99]]);
  });
  const rssMiB = Math.round(process.memoryUsage().rss / 2 ** 20);
  return { buildNsPerMember: Math.round(buildNs), heapBytesPerMember, rssMiB, batches };
}

/** The sorted set alone (one group's worth of sort keys): the part comparable to Discord's set. */
function measureSet(size: number): Record<string, Batch[]> {
  const random = seededRandom(SEED - size);
  const keyOf = (i: number) => sortKeyOf(randomMember(random, FIRST_USER_ID + BigInt(i)));
  const set = new OrderStatisticSet<MemberSortKey>(compareSortKeys, { prefix: (key) => key.prefix });
  const keys: MemberSortKey[] = [];
  for (let i = 0; i < size; i++) {
    keys.push(keyOf(i));
    set.add(keys[i]!);
  }
  let next = size;
  let fresh: MemberSortKey[] = [];
  const batches: Record<string, Batch[]> = {};
  batches['set: insert'] = timeBatches(BATCH, BATCHES, (i) => void set.insert(fresh[i]!), () => {
    for (const key of fresh) set.delete(key);
    fresh = Array.from({ length: BATCH }, () => keyOf(next++));
  });
  batches['set: delete'] = timeBatches(BATCH, BATCHES, (i) => void set.remove(fresh[i]!), () => {
    for (const key of fresh) set.add(key);
  });
  let targets: MemberSortKey[] = [];
  batches['set: rank'] = timeBatches(BATCH, BATCHES, (i) => void set.rank(targets[i]!), () => {
    targets = Array.from({ length: BATCH }, () => keys[Math.floor(random() * size)]!);
  });
  batches['set: at'] = timeBatches(BATCH, BATCHES, () => void set.at(Math.floor(random() * size)));
  return batches;
}

async function measureSize(size: number) {
  gc();
  const { batches, ...list } = await measureList(size);
  gc();
  Object.assign(batches, measureSet(size));
  await flushGcEntries();
  const ops = Object.fromEntries(Object.entries(batches).map(([op, timed]) => [op, figuresOf(timed)]));
  return { size, ...list, ops };
}

async function main(): Promise<void> {
  const started = Date.now();
  await measureSize(5_000); // warm the JIT on every path before anything is timed
  const results = [];
  for (const size of SIZES) {
    results.push(await measureSize(size));
    process.stdout.write(`measured ${size} members (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  }
  const peakRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
  process.stdout.write(
    `\nns per operation: mean (wall); worst batch of ${BATCH} (SYNC: ${SYNC_BATCH}) by wall time, by process CPU time, ` +
      `and by wall time less the GC pauses inside it; share of time in GC pauses\n`,
  );
  for (const result of results) {
    process.stdout.write(`\n== ${result.size} members\n`);
    console.table(
      Object.fromEntries(
        Object.entries(result.ops).map(([op, f]) => [
          op,
          { 'mean ns': f.meanNs, 'worst ns': f.worstBatchNs, 'worst cpu ns': f.worstBatchCpuNs, 'worst less GC ns': f.worstBatchNsLessGc, 'GC share': f.gcShare },
        ]),
      ),
    );
  }
  console.table(
    results.map((r) => ({ members: r.size, 'list build ns/member': r.buildNsPerMember, 'list heap B/member': r.heapBytesPerMember, 'rss MiB': r.rssMiB })),
  );
  const atLargest = results[results.length - 1]!;
  const worstOf = (filter: (op: string) => boolean, field: 'worstBatchNs' | 'worstBatchCpuNs' | 'worstBatchNsLessGc') =>
    Object.entries(atLargest.ops)
      .filter(([op]) => filter(op))
      .reduce((worst, [op, f]) => (f[field] > worst.ns ? { op, ns: f[field] } : worst), { op: '', ns: 0 });
  const isSetOp = (op: string) => op.startsWith('set:');
  const isListOp = (op: string) => !isSetOp(op) && !op.startsWith('subscribe');
  const summary = {
    setWorst: worstOf(isSetOp, 'worstBatchNs'),
    setWorstCpu: worstOf(isSetOp, 'worstBatchCpuNs'),
    setWorstLessGc: worstOf(isSetOp, 'worstBatchNsLessGc'),
    listWorst: worstOf(isListOp, 'worstBatchNs'),
    listWorstCpu: worstOf(isListOp, 'worstBatchCpuNs'),
    listWorstLessGc: worstOf(isListOp, 'worstBatchNsLessGc'),
  };
  const us = (w: { op: string; ns: number }) => `${(w.ns / 1000).toFixed(2)} µs (${w.op})`;
  process.stdout.write(
    `\nat ${atLargest.size} members (target: worst operation ≤ ${TARGET_WORST_US_AT_1M} µs)\n` +
      `  sorted set, worst batch: ${us(summary.setWorst)}; by CPU: ${us(summary.setWorstCpu)}; less GC: ${us(summary.setWorstLessGc)}\n` +
      `  member list, worst batch: ${us(summary.listWorst)}; by CPU: ${us(summary.listWorstCpu)}; less GC: ${us(summary.listWorstLessGc)}\n` +
      `peak RSS ${peakRssMiB} MiB; ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
  const output = {
    generatedAt: new Date().toISOString(),
    machine: { node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', totalMemGiB: Math.round(os.totalmem() / 2 ** 30) },
    setup: { seed: SEED, batches: BATCHES, batch: BATCH, syncBatch: SYNC_BATCH, hoistedRoles: ROLES.length, warmupBatches: WARMUP_BATCHES },
    targetWorstUsAt1M: TARGET_WORST_US_AT_1M,
    worstAtLargest: summary,
    peakRssMiB,
    results,
  };
  const file = path.join(__dirname, '..', '..', '..', 'results', 'member-list.json');
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(output, null, 2) + '\n');
  fs.renameSync(`${file}.tmp`, file);
  process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
}

void main();
