// Presence benchmark, end to end on the real Kafka broker and PostgreSQL (`make services-up`):
// session presence events produced to the sessions topic as gateways report them → the presence
// owner aggregates them → the coalescer publishes one batch per window to the guild service → the
// guild fans it out to the gateway → PRESENCE_UPDATE frames on observer sockets (stack.ts).
//
//   1. throughput: a burst of every member of a 20,000-member guild changing 4 times, produced as
//      fast as the broker takes it; session events/s and aggregated changes/s from the first
//      produce to the last observer frame, the owner's own rate (presence_changes_out_total over
//      time) and the latency of the last change (its produce → its frame on an observer). The
//      burst goes in rounds (every user's first change, then every user's second, …): while the
//      owner works through the backlog a user's changes land in different windows, so this is
//      the rate with little coalescing;
//   2. frames per change: 2,000 of a 10,000-member guild's members changing 4 times within one
//      second (as test/presence/presence-coalescing.test.ts), with the 1 s coalescing window and
//      with the smallest one (1 ms): PRESENCE_UPDATE frames per observer per aggregated change;
//   3. peak RSS of this process, which holds all three services, the observers and the producer.
//
// Prints tables and writes bench/results/presence.json. Figures, never assertions. Run:
// `npm run bench:presence` (options: `-- --members 20000 --only throughput,frames`).
import '../gateway/resolve-sources';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { CHANGES_PER_USER, expectedFinals, produceBurst, producePaced } from './churn';
import type { ProduceTiming } from './churn';
import { metricSum, MetricSampler, rateOf } from './metrics';
import { backing, checkBackingServices, copyMigrations, startStack } from './stack';
import type { Stack } from './stack';

const REPO = path.resolve(__dirname, '../../../../..');
const RESULTS = path.join(REPO, 'bench/results/presence.json');
const OBSERVERS = 3;

interface Args {
  members: number;
  framesMembers: number;
  framesChangers: number;
  only: string[];
}

function parseArgs(argv: string[]): Args {
  const args: Args = { members: 20_000, framesMembers: 10_000, framesChangers: 2_000, only: ['throughput', 'frames'] };
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i + 1];
    switch (argv[i]) {
      case '--members': args.members = Number(value); i++; break;
      case '--frames-members': args.framesMembers = Number(value); i++; break;
      case '--frames-changers': args.framesChangers = Number(value); i++; break;
      case '--only': args.only = value!.split(','); i++; break;
    }
  }
  return args;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const round3 = (x: number) => Math.round(x * 1000) / 1000;
const peakRssBytes = () => process.resourceUsage().maxRSS * 1024;
const MB = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);

/** What the presence service's registry says about one run (counters are per fresh service). */
async function serviceFigures(stack: Stack) {
  const registry = stack.presence.context.registry;
  return {
    sessionEventsIn: await metricSum(registry, 'presence_changes_in_total'),
    changesOut: await metricSum(registry, 'presence_changes_out_total'),
    coalescerChanges: await metricSum(registry, 'presence_coalescer_changes_total'),
    updatesPublished: await metricSum(registry, 'presence_updates_published_total'),
    updatesSuppressed: await metricSum(registry, 'presence_updates_suppressed_total'),
    windowsFlushed: await metricSum(registry, 'presence_coalescer_flushes_total'),
    flushFailures: await metricSum(registry, 'presence_coalescer_flush_failures_total'),
    coalescingRatio: round3(await metricSum(registry, 'presence_coalescing_ratio')),
  };
}

/**
 * Waits for every observer to see every final presence. When frames stop coming first, the run
 * goes on with what arrived (figures from a run that lost frames are flagged, not dropped): it
 * returns how many final presences each observer missed and prints what the services counted.
 */
async function settleAll(stack: Stack): Promise<number[]> {
  try {
    await Promise.all(stack.observers.map((o) => o.settle(30_000, 240_000)));
  } catch (error) {
    const figures = await serviceFigures(stack);
    const pending = await metricSum(stack.presence.context.registry, 'presence_coalescer_pending_users');
    const nonZero = async (registry: Stack['guild']['context']['registry']) => (await registry.metrics()).split('\n')
      .filter((line) => !line.startsWith('#') && /fanout|presence|stream|ack|drop|fail|error|slow|closed/.test(line) && !/ 0$/.test(line) && !/_bucket/.test(line));
    console.error(`WARNING: ${(error as Error).message}`);
    console.error(`  presence service: ${JSON.stringify({ ...figures, pending })}`);
    console.error(`  observers' sockets open: ${stack.observers.map((o) => o.client.ws.readyState === 1).join(', ')}`);
    console.error(`  guild metrics:\n    ${(await nonZero(stack.guild.context.registry)).join('\n    ')}`);
    console.error(`  gateway metrics:\n    ${(await nonZero(stack.gateway.context.registry)).join('\n    ')}`);
  }
  return stack.observers.map((o) => o.expected.size - o.finalAt.size);
}

/** Arrival of the last final frame on any observer, and of one user's final frame. */
function arrivals(stack: Stack, lastUser: bigint) {
  const lastFrameAt = stack.observers.reduce((max, o) => Math.max(max, ...o.finalAt.values()), Number.NEGATIVE_INFINITY);
  const lastUserAt = Math.max(...stack.observers.map((o) => o.finalAt.get(lastUser.toString()) ?? Number.NaN));
  return { lastFrameAt, lastUserAt };
}

async function throughput(args: Args, run: string) {
  const windowMs = 1000;
  const stack = await startStack({ run: `${run}t`, members: args.members, observers: OBSERVERS, windowMs });
  try {
    const rssAfterSetupBytes = process.memoryUsage().rss;
    const users = stack.members.slice(OBSERVERS);
    for (const observer of stack.observers) observer.reset(expectedFinals(users));
    const registry = stack.presence.context.registry;
    const outSampler = new MetricSampler(registry, 'presence_changes_out_total', 100);
    const inSampler = new MetricSampler(registry, 'presence_changes_in_total', 100);
    await sleep(300);
    const cpu0 = process.cpuUsage();
    const produced: ProduceTiming = await produceBurst(stack.log, stack.sessionsTopic, run, users, 2000);
    const missedFinals = await settleAll(stack);
    const cpu = process.cpuUsage(cpu0);
    const { lastFrameAt, lastUserAt } = arrivals(stack, users.at(-1)!);
    await sleep(2 * windowMs);
    const owner = rateOf(outSampler.stop(), 1000);
    const ownerIn = rateOf(inSampler.stop(), 1000);
    const figures = await serviceFigures(stack);
    const seconds = (lastFrameAt - produced.startedAt) / 1000;
    const frames = stack.observers.map((o) => o.frames);
    return {
      guildMembers: args.members,
      churningUsers: users.length,
      changesPerUser: CHANGES_PER_USER,
      observers: OBSERVERS,
      coalesceWindowMs: windowMs,
      sessionEventsProduced: produced.records,
      produceSeconds: round3((produced.lastAckedAt - produced.startedAt) / 1000),
      produceRecordsPerSecond: Math.round(produced.records / ((produced.lastAckedAt - produced.startedAt) / 1000)),
      endToEndSeconds: round3(seconds),
      sessionEventsPerSecond: Math.round(produced.records / seconds),
      changesPerSecond: Math.round(figures.changesOut / seconds),
      owner: {
        changesOut: owner.total,
        changesOutSeconds: round3(owner.spanMs / 1000),
        changesOutPerSecond: Math.round(owner.perSecond),
        changesOutPeakPerSecond1s: Math.round(owner.peakPerSecond),
        sessionEventsInPerSecond: Math.round(ownerIn.perSecond),
      },
      lastChangeLatencyMs: round3(lastUserAt - produced.lastIssuedAt),
      lastFrameAfterLastProduceMs: round3(lastFrameAt - produced.lastIssuedAt),
      framesPerObserver: frames,
      framesPerChange: round3(Math.max(...frames) / figures.changesOut),
      /** Final presences an observer never got (0 unless frames were lost: then the rates above are not end to end). */
      missedFinals,
      service: figures,
      /** CPU of this process (all three services, observers, producer) per second of the run: cores busy. */
      processCoresBusy: round3((cpu.user + cpu.system) / 1e6 / seconds),
      rssAfterSetupBytes,
      peakRssBytes: peakRssBytes(),
    };
  } finally {
    await stack.stop();
  }
}

async function framesPerChange(args: Args, run: string, windowMs: number) {
  const stack = await startStack({ run: `${run}f${windowMs}`, members: args.framesMembers, observers: OBSERVERS, windowMs });
  try {
    const rssAfterSetupBytes = process.memoryUsage().rss;
    const users = stack.members.slice(OBSERVERS, OBSERVERS + args.framesChangers);
    for (const observer of stack.observers) observer.reset(expectedFinals(users));
    const produced = await producePaced(stack.log, stack.sessionsTopic, run, users, 10, 100);
    const missedFinals = await settleAll(stack);
    const { lastFrameAt, lastUserAt } = arrivals(stack, users.at(-1)!);
    // Later frames would still count (none should undo the final presence): wait a window more.
    await sleep(Math.max(2 * windowMs, 1000));
    const figures = await serviceFigures(stack);
    const frames = stack.observers.map((o) => o.frames);
    const maxFrames = Math.max(...frames);
    return {
      guildMembers: args.framesMembers,
      churningUsers: users.length,
      changesPerUser: CHANGES_PER_USER,
      observers: OBSERVERS,
      coalesceWindowMs: windowMs,
      sessionEventsProduced: produced.records,
      produceSeconds: round3((produced.lastAckedAt - produced.startedAt) / 1000),
      changes: figures.changesOut,
      framesPerObserver: frames,
      missedFinals,
      framesPerChange: round3(maxFrames / figures.changesOut),
      changesPerFrame: round3(figures.changesOut / maxFrames),
      framesPerChurningUser: round3(maxFrames / users.length),
      settledAfterFirstProduceMs: round3(lastFrameAt - produced.startedAt),
      lastChangeLatencyMs: round3(lastUserAt - produced.lastIssuedAt),
      service: figures,
      rssAfterSetupBytes,
      peakRssBytes: peakRssBytes(),
    };
  } finally {
    await stack.stop();
  }
}

function writeResults(out: Record<string, unknown>): void {
  fs.mkdirSync(path.dirname(RESULTS), { recursive: true });
  fs.writeFileSync(RESULTS, `${JSON.stringify(out, null, 2)}\n`);
}

type Throughput = Awaited<ReturnType<typeof throughput>>;
type Frames = Awaited<ReturnType<typeof framesPerChange>>;

function printThroughput(t: Throughput): void {
  console.log(`\nThroughput, end to end (burst: ${t.churningUsers} users × ${t.changesPerUser} changes in a ${t.guildMembers}-member guild, ${t.observers} observers, window ${t.coalesceWindowMs} ms)`);
  console.log('| figure | value |');
  console.log('|---|---|');
  console.log(`| session events produced (kafka acks: ${t.produceSeconds} s, ${t.produceRecordsPerSecond}/s) | ${t.sessionEventsProduced} |`);
  console.log(`| first produce → last observer frame | ${t.endToEndSeconds} s |`);
  console.log(`| session events/s handled end to end | ${t.sessionEventsPerSecond} |`);
  console.log(`| aggregated changes/s handled end to end | ${t.changesPerSecond} (${t.service.changesOut} changes) |`);
  console.log(`| owner: presence_changes_out_total rate while moving (peak over 1 s) | ${t.owner.changesOutPerSecond}/s over ${t.owner.changesOutSeconds} s (${t.owner.changesOutPeakPerSecond1s}/s) |`);
  console.log(`| owner: presence_changes_in_total rate while moving | ${t.owner.sessionEventsInPerSecond}/s |`);
  console.log(`| last change: its produce → its frame on an observer | ${t.lastChangeLatencyMs} ms |`);
  console.log(`| last produce → last observer frame | ${t.lastFrameAfterLastProduceMs} ms |`);
  console.log(`| PRESENCE_UPDATE frames per observer (per change) | ${t.framesPerObserver.join(', ')} (${t.framesPerChange}) |`);
  console.log(`| final presences an observer never got (0 = complete) | ${t.missedFinals.join(', ')} |`);
  console.log(`| coalescer: taken / published / suppressed / windows (ratio) | ${t.service.coalescerChanges} / ${t.service.updatesPublished} / ${t.service.updatesSuppressed} / ${t.service.windowsFlushed} (${t.service.coalescingRatio}) |`);
  console.log(`| this process: cores busy during the run; RSS after setup → peak | ${t.processCoresBusy}; ${MB(t.rssAfterSetupBytes)} → ${MB(t.peakRssBytes)} MB |`);
}

function printFrames(rows: Frames[]): void {
  const r0 = rows[0]!;
  console.log(`\nFrames per change (${r0.churningUsers} of a ${r0.guildMembers}-member guild × ${r0.changesPerUser} changes within ~1 s, ${r0.observers} observers)`);
  console.log('| window | aggregated changes | missed finals | frames per observer | frames per change | changes per frame (coalescing) | coalescer published (ratio) | settled after first produce | last change latency |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.coalesceWindowMs} ms | ${r.changes} | ${r.missedFinals.join(', ')} | ${r.framesPerObserver.join(', ')} | ${r.framesPerChange} | ${r.changesPerFrame} | ${r.service.updatesPublished} (${r.service.coalescingRatio}) | ${Math.round(r.settledAfterFirstProduceMs)} ms | ${Math.round(r.lastChangeLatencyMs)} ms |`);
  }
  const [coalesced, raw] = [rows.find((r) => r.coalesceWindowMs >= 1000), rows.find((r) => r.coalesceWindowMs <= 1)];
  if (coalesced && raw) {
    const saved = 1 - Math.max(...coalesced.framesPerObserver) / Math.max(...raw.framesPerObserver);
    console.log(`coalescing (${coalesced.coalesceWindowMs} ms vs ${raw.coalesceWindowMs} ms window) saves ${(saved * 100).toFixed(1)}% of the frames each observer gets`);
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  console.log(`presence bench: node ${process.version}, ${os.cpus().length} cpus; Kafka ${backing.kafkaBrokers.join(',')}, PostgreSQL ${new URL(backing.databaseUrl).host}`);
  await checkBackingServices();
  copyMigrations(REPO);
  const run = randomBytes(4).toString('hex');
  const started = performance.now();
  const out: Record<string, unknown> = {
    generatedAt: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    note: 'one process holds the guild, presence and gateway services, the observers and the producer; Kafka and PostgreSQL run on the same machine',
  };
  if (args.only.includes('throughput')) {
    console.log('… throughput');
    out.throughput = await throughput(args, run);
    printThroughput(out.throughput as Throughput);
    writeResults(out);
  }
  if (args.only.includes('frames')) {
    const rows: Frames[] = [];
    for (const windowMs of [1000, 1]) {
      console.log(`… frames per change, window ${windowMs} ms`);
      rows.push(await framesPerChange(args, run, windowMs));
    }
    out.framesPerChange = rows;
    printFrames(rows);
  }
  out.peakRssBytes = peakRssBytes();
  out.seconds = round3((performance.now() - started) / 1000);
  console.log(`\npeak RSS of this process (three services, observers, producer; the embedded gateway's PGlite included): ${MB(peakRssBytes())} MB; ${out.seconds} s in all`);
  writeResults(out);
  console.log(`wrote ${path.relative(REPO, RESULTS)}`);
}

main().then(
  () => setTimeout(() => process.exit(0), 200),
  (error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
