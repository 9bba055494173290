// Push benchmark, end to end on the real Kafka broker and PostgreSQL (`make services-up`): push
// requests already waiting in Kafka → the push service (its own OS processes, cluster mode, the
// compiled services/push/src/main.js, with the chart's NODE_OPTIONS) → device lookup in
// PostgreSQL → FCM and APNs providers answering after a simulated latency (20 ms by default): the
// Go sink (bench/push/sink, ~8 µs of CPU per answer) or, with `--providers node`, the TypeScript
// fakes of services/push/src/testing (45–130 µs per answer, on the same two cores as push).
//
// Setup, not measured: a fresh schema with one device per user (every 5th an APNs token, the rest
// FCM), and the whole backlog of requests (each to one user, in a channel of its own so nothing
// collapses) produced to a fresh topic BEFORE any consumer exists. Then, for each setting of
// PUSH_MAX_IN_FLIGHT × PUSH_CONNECTIONS_PER_APP × PUSH_CONNECTION_CONCURRENCY [× push processes,
// one consumer group], fresh push processes (a fresh group reading the backlog from the start)
// and, from the providers' delivery counts:
//   - sustained throughput: notifications per minute from the first delivery to the last;
//   - steady rate: over the middle 80% of the deliveries (10% → 90%), and the best 5 s window;
//   - the push processes' peak RSS (VmHWM, the largest) and CPU (user + system, all of them) per
//     1,000 notifications, and the providers' CPU;
//   - provider latency p50/p99 as push saw it (push_provider_latency_seconds, interpolated within
//     the histogram's buckets), which includes waiting for a stream.
// PUSH_FCM_QUOTA_PER_MINUTE is raised out of the way (its 600,000/min default would cap the run).
//
// Prints a table and writes bench/results/push.json. Figures, never assertions. Run:
// `npm run bench:push` (options: `-- --requests 400000 --users 200000 --latency-ms 20
// --settings 250x2x100,2000x2x500x2 --apns-every 5 --providers go|node --cpu-prof /tmp/push-prof
// --push-node-args '--heapsnapshot-signal=SIGUSR2'`, added to the chart's NODE_OPTIONS).
import '../gateway/resolve-sources';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parse } from 'yaml';
import { DeliveryTimeline, startFakes } from './fakes';
import type { Fakes } from './fakes';
import { summarizeProfile } from './profile';
import type { ProfileSummary } from './profile';
import { HeapPeaks, histogramQuantile, metricValue, PushProcess } from './push-process';
import { backing, checkBackingServices, copyMigrations, openBenchDatabase, produceBacklog, runId } from './setup';
import type { Backlog } from './setup';

const REPO = path.resolve(__dirname, '../../../../..');
const RESULTS = path.join(REPO, 'bench/results/push.json');
const DISCORD_PER_MINUTE = 1_000_000;
/** No delivery for this long: the run is reported as stalled rather than waited on forever. */
const STALL_MS = 30_000;

/** PUSH_MAX_IN_FLIGHT × PUSH_CONNECTIONS_PER_APP × PUSH_CONNECTION_CONCURRENCY, each of `instances` push processes (one consumer group). */
interface Setting { maxInFlight: number; connectionsPerApp: number; connectionConcurrency: number; instances: number }

interface Args {
  requests: number;
  users: number;
  latencyMs: number;
  partitions: number;
  apnsEvery: number;
  settings: Setting[];
  cpuProfileDir?: string;
  /** Extra node flags for the push process (e.g. --heapsnapshot-signal=SIGUSR2). */
  nodeArgs: string[];
  /** Which providers answer: the Go sink (default; lean, so the machine's CPU goes to push) or the TypeScript fakes. */
  providers: 'go' | 'node';
}

function parseSetting(text: string): Setting {
  const parts = text.split('x').map(Number);
  const [maxInFlight, connectionsPerApp, connectionConcurrency, instances = 1] = parts;
  if (parts.length < 3 || parts.length > 4 || ![maxInFlight, connectionsPerApp, connectionConcurrency, instances].every((n) => Number.isInteger(n) && n! > 0)) {
    throw new Error(`--settings: "${text}" is not maxInFlight x connectionsPerApp x connectionConcurrency [x instances] (e.g. 4000x8x500 or 1000x2x200x2)`);
  }
  return { maxInFlight: maxInFlight!, connectionsPerApp: connectionsPerApp!, connectionConcurrency: connectionConcurrency!, instances };
}

/** The push container's NODE_OPTIONS in the chart (values.yaml push.nodeOptions): the bench runs push as deployed. */
function chartNodeOptions(): string[] {
  const values = parse(fs.readFileSync(path.join(REPO, 'charts/switchboard/values.yaml'), 'utf8')) as { push?: { nodeOptions?: string } };
  const options = values.push?.nodeOptions;
  if (typeof options !== 'string') throw new Error('charts/switchboard/values.yaml has no push.nodeOptions');
  return options.split(/\s+/).filter(Boolean);
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    requests: 400_000, users: 200_000, latencyMs: 20, partitions: 24, apnsEvery: 5,
    settings: ['250x2x100', '1000x2x200', '1000x2x200x2', '2000x2x500x2'].map(parseSetting),
    nodeArgs: chartNodeOptions(),
    providers: 'go',
  };
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i + 1];
    switch (argv[i]) {
      case '--requests': args.requests = Number(value); i++; break;
      case '--users': args.users = Number(value); i++; break;
      case '--latency-ms': args.latencyMs = Number(value); i++; break;
      case '--partitions': args.partitions = Number(value); i++; break;
      case '--apns-every': args.apnsEvery = Number(value); i++; break;
      case '--settings': args.settings = value!.split(',').map(parseSetting); i++; break;
      case '--cpu-prof': args.cpuProfileDir = path.resolve(value!); i++; break;
      case '--push-node-args': args.nodeArgs = [...args.nodeArgs, ...value!.split(' ').filter(Boolean)]; i++; break;
      case '--providers':
        if (value !== 'go' && value !== 'node') throw new Error('--providers must be go (the Go sink) or node (the TypeScript fakes)');
        args.providers = value; i++; break;
      default: throw new Error(`unknown option ${argv[i]}`);
    }
  }
  for (const [name, n] of [['--requests', args.requests], ['--users', args.users], ['--partitions', args.partitions]] as const) {
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer`);
  }
  return args;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const MB = (bytes: number) => Math.round(bytes / 1024 / 1024);
const round = (x: number, digits = 1) => (Number.isFinite(x) ? Math.round(x * 10 ** digits) / 10 ** digits : null);

interface SettingResult {
  setting: Setting;
  /** Which fakes answered (the Go sink or services/push/src/testing's). */
  providers: 'go' | 'node';
  delivered: number;
  expected: number;
  stalled: boolean;
  startupSeconds: number;
  /** Spawn → first delivery at a fake (start, joining the group, first fetch, lookups, connections). */
  firstDeliverySeconds: number;
  deliverySeconds: number;
  sustainedPerMinute: number;
  steadyPerMinute: number;
  peak5sPerMinute: number;
  pushPeakRssMB: number;
  pushPeakSampledRssMB: number;
  /** Peaks of the push process's heap (used, total) and external memory, sampled every 2 s from its /metrics. */
  pushPeakHeapMB: { used: number; total: number; external: number };
  /** CPU of the push process from /readyz to the last delivery (start-up excluded), and per 1,000 deliveries made in that span. */
  pushCpuSeconds: number;
  pushCpuMsPer1000: number;
  /** CPU of this process (the fakes and the timeline) over the same span. */
  fakesCpuSeconds: number;
  providerLatencyMs: { fcm: { p50: number | null; p99: number | null }; apns: { p50: number | null; p99: number | null } };
  service: Record<string, number>;
  fakes: { fcmConnections: number; fcmMaxStreams: number; apnsConnections: number; apnsMaxStreams: number };
  exitCode: number | null;
  /** 1-minute load average of the machine before and after (other work on a shared 2-core box skews every figure). */
  loadAverage: { before: number; after: number };
  profile?: ProfileSummary;
}

function profileFiles(dir: string): Set<string> {
  return new Set(fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')) : []);
}

function pushEnv(args: Args, setting: Setting, group: string, databaseUrl: string, topic: string, fakes: Fakes): Record<string, string> {
  return {
    SWITCHBOARD_MODE: 'cluster',
    SWITCHBOARD_BIND_HOST: '127.0.0.1',
    SWITCHBOARD_INSTANCE_ID: group,
    LOG_LEVEL: 'warn',
    KAFKA_BROKERS: backing.kafkaBrokers.join(','),
    DATABASE_URL: databaseUrl,
    PUSH_GRPC_PORT: '0',
    PUSH_REQUESTS_TOPIC: topic,
    PUSH_REQUESTS_PARTITIONS: String(args.partitions),
    PUSH_CONSUMER_GROUP: group,
    PUSH_MAX_IN_FLIGHT: String(setting.maxInFlight),
    PUSH_CONNECTIONS_PER_APP: String(setting.connectionsPerApp),
    PUSH_CONNECTION_CONCURRENCY: String(setting.connectionConcurrency),
    PUSH_FCM_QUOTA_PER_MINUTE: '1000000000', XMB: process.env.XMB ?? '10485760', XMBP: process.env.XMBP ?? '1048576',
    ...fakes.env,
  };
}

/** Waits until the fakes counted `expected` deliveries (true) or none came for STALL_MS (false), with a progress line every 10 s. */
async function waitForDeliveries(timeline: DeliveryTimeline, expected: number): Promise<boolean> {
  let [seen, lastProgress, reportedAt] = [0, performance.now(), performance.now()];
  while (timeline.delivered < expected) {
    await sleep(50);
    const now = performance.now();
    if (timeline.delivered !== seen) [seen, lastProgress] = [timeline.delivered, now];
    if (now - reportedAt > 10_000) {
      reportedAt = now;
      process.stdout.write(`  … ${seen.toLocaleString('en-US')} / ${expected.toLocaleString('en-US')} delivered\n`);
    }
    if (now - lastProgress > STALL_MS) return false;
  }
  return true;
}

type HeapFigures = Pick<HeapPeaks, 'heapUsed' | 'heapTotal' | 'external'>;

/** What one run of the push processes measured. */
interface Measured {
  started: number;
  readyAt: number;
  deliveredAtReady: number;
  pushCpuSeconds: number;
  fakesCpuSeconds: number;
  stalled: boolean;
  metrics: string;
  peakRss: number;
  peakSampledRss: number;
  heap: HeapFigures;
  exitCode: number | null;
}

/** The push processes of one setting, measured together (CPU summed; memory per process, the largest reported). */
class PushFleet {
  private constructor(readonly processes: PushProcess[], readonly heaps: HeapPeaks[]) {}

  static async start(envs: Record<string, string>[], options: { nodeArgs: string[]; cpuProfileDir?: string }): Promise<PushFleet> {
    const processes = await Promise.all(envs.map((env) => PushProcess.start(env, options)));
    return new PushFleet(processes, processes.map((push) => new HeapPeaks(push)));
  }

  cpuSeconds(): number {
    return this.processes.reduce((sum, push) => {
      const cpu = push.cpu();
      return sum + cpu.user + cpu.system;
    }, 0);
  }

  /** Every process's /metrics, one after the other: metricValue and histogramQuantile sum over them. */
  async metrics(): Promise<string> {
    return (await Promise.all(this.processes.map((push) => push.metrics()))).join('\n');
  }

  peaks(): { rss: number; sampledRss: number; heap: HeapFigures } {
    const max = (f: (i: number) => number) => Math.max(...this.processes.map((_, i) => f(i)));
    return {
      rss: max((i) => this.processes[i]!.status('VmHWM')),
      sampledRss: max((i) => this.processes[i]!.peakSampledRss),
      heap: {
        heapUsed: max((i) => this.heaps[i]!.heapUsed),
        heapTotal: max((i) => this.heaps[i]!.heapTotal),
        external: max((i) => this.heaps[i]!.external),
      },
    };
  }

  /** Stops them all; the first non-zero exit code (else 0, or null if one was killed). */
  async stop(): Promise<number | null> {
    for (const heap of this.heaps) heap.stop();
    const codes = await Promise.all(this.processes.map((push) => push.stop()));
    return codes.find((code) => code !== 0) ?? 0;
  }
}

/** One setting against fresh fakes (their connection and stream counts are this setting's alone) and a fresh consumer group. */
async function runSetting(args: Args, setting: Setting, index: number, run: string, databaseUrl: string, backlog: Backlog): Promise<SettingResult> {
  const profilesBefore = args.cpuProfileDir ? profileFiles(args.cpuProfileDir) : new Set<string>();
  const loadBefore = os.loadavg()[0]!;
  // Loaded only when used: the Go sink is built (go build) on first use.
  const fakes = args.providers === 'go' ? await (await import('./go-sink.js')).startGoSink(args.latencyMs) : await startFakes(args.latencyMs);
  try {
    const timeline = new DeliveryTimeline(() => fakes.delivered());
    const started = performance.now();
    const group = `bench-push-${run}-${index}`;
    const envs = Array.from({ length: setting.instances }, (_, i) => ({
      ...pushEnv(args, setting, group, databaseUrl, backlog.topic, fakes),
      SWITCHBOARD_INSTANCE_ID: `${group}-${i}`,
    }));
    const fleet = await PushFleet.start(envs, { nodeArgs: args.nodeArgs, ...(args.cpuProfileDir ? { cpuProfileDir: args.cpuProfileDir } : {}) });
    const [readyAt, cpuAtReady, deliveredAtReady, fakesCpuAtReady] = [performance.now(), fleet.cpuSeconds(), timeline.delivered, fakes.cpuSeconds()];
    const stalled = !(await waitForDeliveries(timeline, args.requests));
    const [cpuAtEnd, fakesCpu] = [fleet.cpuSeconds(), fakes.cpuSeconds() - fakesCpuAtReady];
    await sleep(200); // let the last answers settle into the metrics
    timeline.stop();
    const peaks = fleet.peaks();
    const measured: Measured = {
      started, readyAt, deliveredAtReady, stalled, heap: peaks.heap,
      pushCpuSeconds: cpuAtEnd - cpuAtReady,
      fakesCpuSeconds: fakesCpu,
      metrics: await fleet.metrics(),
      peakRss: peaks.rss,
      peakSampledRss: peaks.sampledRss,
      exitCode: await fleet.stop(),
    };
    const result = resultOf(args, setting, timeline, measured, fakes, loadBefore);
    if (args.cpuProfileDir) {
      const created = [...profileFiles(args.cpuProfileDir)].filter((f) => !profilesBefore.has(f));
      if (created.length > 0) result.profile = summarizeProfile(path.join(args.cpuProfileDir, created[0]!));
    }
    return result;
  } finally {
    await fakes.close();
  }
}

function resultOf(args: Args, setting: Setting, timeline: DeliveryTimeline, m: Measured, fakes: Fakes, loadBefore: number): SettingResult {
  const expected = args.requests;
  const [first, last, delivered] = [timeline.timeOf(1), timeline.lastChangeAt, timeline.delivered];
  const deliverySeconds = (last - first) / 1000;
  const [from, to] = [Math.ceil(expected * 0.1), Math.floor(expected * 0.9)];
  const [t10, t90] = [timeline.timeOf(from), timeline.timeOf(to)];
  const metric = (name: string, labels?: Record<string, string>) => metricValue(m.metrics, name, labels);
  const latency = (provider: string) => ({
    p50: round(histogramQuantile(m.metrics, 'push_provider_latency_seconds', 0.5, { provider }) * 1000),
    p99: round(histogramQuantile(m.metrics, 'push_provider_latency_seconds', 0.99, { provider }) * 1000),
  });
  return {
    setting,
    providers: fakes.kind,
    delivered,
    expected,
    stalled: m.stalled,
    startupSeconds: round((m.readyAt - m.started) / 1000, 2)!,
    firstDeliverySeconds: round((first - m.started) / 1000, 2)!,
    deliverySeconds: round(deliverySeconds, 2)!,
    sustainedPerMinute: Math.round(((delivered - 1) / deliverySeconds) * 60),
    steadyPerMinute: Math.round(((to - from) / ((t90 - t10) / 1000)) * 60) || 0,
    peak5sPerMinute: Math.round(timeline.peakRate(5000) * 60),
    pushPeakRssMB: MB(m.peakRss),
    pushPeakSampledRssMB: MB(m.peakSampledRss),
    pushPeakHeapMB: { used: MB(m.heap.heapUsed), total: MB(m.heap.heapTotal), external: MB(m.heap.external) },
    pushCpuSeconds: round(m.pushCpuSeconds, 2)!,
    pushCpuMsPer1000: round((m.pushCpuSeconds * 1000 * 1000) / Math.max(1, delivered - m.deliveredAtReady), 1)!,
    fakesCpuSeconds: round(m.fakesCpuSeconds, 2)!,
    providerLatencyMs: { fcm: latency('fcm'), apns: latency('apns') },
    service: {
      consumed: metric('push_requests_consumed_total'),
      settledSent: metric('push_requests_settled_total', { result: 'sent' }),
      settledOther: metric('push_requests_settled_total') - metric('push_requests_settled_total', { result: 'sent' }),
      sends: metric('push_sends_total'),
      delivered: metric('push_delivered_total'),
      retries: metric('push_retries_total'),
      deadLettered: metric('push_dead_lettered_total'),
      poison: metric('push_requests_poison_total'),
    },
    // FCM's count includes the connection its OAuth token endpoint took (same fake server).
    fakes: fakes.stats(),
    exitCode: m.exitCode,
    loadAverage: { before: round(loadBefore, 2)!, after: round(os.loadavg()[0]!, 2)! },
  };
}

function printResult(r: SettingResult): void {
  const s = r.setting;
  const n = (x: number) => x.toLocaleString('en-US');
  const lat = (p: { p50: number | null; p99: number | null }) => `p50 ${p.p50 ?? '–'} ms, p99 ${p.p99 ?? '–'} ms`;
  console.log(`\n${s.instances} push process${s.instances > 1 ? 'es' : ''} × PUSH_MAX_IN_FLIGHT=${s.maxInFlight} PUSH_CONNECTIONS_PER_APP=${s.connectionsPerApp} PUSH_CONNECTION_CONCURRENCY=${s.connectionConcurrency}; ${r.providers === 'go' ? 'Go sink' : 'TypeScript fakes'} answering${r.stalled ? '  (STALLED: no delivery for 30 s)' : ''}`);
  console.log(`  delivered            ${n(r.delivered)} / ${n(r.expected)} in ${r.deliverySeconds} s (spawn → /readyz ${r.startupSeconds} s, → first delivery ${r.firstDeliverySeconds} s)`);
  console.log(`  sustained            ${n(r.sustainedPerMinute)} notifications/min  (${(r.sustainedPerMinute / DISCORD_PER_MINUTE * 100).toFixed(0)}% of Discord's 1M/min)`);
  console.log(`  steady (10%→90%)     ${n(r.steadyPerMinute)} /min   best 5 s: ${n(r.peak5sPerMinute)} /min`);
  console.log(`  push ${s.instances > 1 ? `× ${s.instances}      ` : 'process   '}      peak RSS ${r.pushPeakRssMB} MB${s.instances > 1 ? ' (the largest process)' : ''} (sampled ${r.pushPeakSampledRssMB} MB; heap used ≤ ${r.pushPeakHeapMB.used} MB of ≤ ${r.pushPeakHeapMB.total} MB, external ≤ ${r.pushPeakHeapMB.external} MB), CPU ${r.pushCpuSeconds} s${s.instances > 1 ? ' (all processes)' : ''} = ${r.pushCpuMsPer1000} ms per 1,000 notifications`);
  console.log(`  providers            ${r.providers === 'go' ? 'Go sink' : 'TypeScript fakes (bench process)'} CPU ${r.fakesCpuSeconds} s over the same span; machine load average ${r.loadAverage.before} → ${r.loadAverage.after}`);
  console.log(`  provider latency     fcm ${lat(r.providerLatencyMs.fcm)}; apns ${lat(r.providerLatencyMs.apns)} (push_provider_latency_seconds)`);
  console.log(`  connections          fcm ${r.fakes.fcmConnections} incl. OAuth (max ${r.fakes.fcmMaxStreams} streams at once), apns ${r.fakes.apnsConnections} (max ${r.fakes.apnsMaxStreams})`);
  console.log(`  service counters     ${Object.entries(r.service).map(([k, v]) => `${k} ${n(v)}`).join(', ')}`);
  if (r.profile) {
    console.log(`  CPU profile (${path.basename(r.profile.file)}, ${n(r.profile.totalMs)} ms sampled), self time by area:`);
    for (const a of r.profile.areas.slice(0, 12)) console.log(`    ${String(a.share).padStart(5)}%  ${a.name}`);
    console.log('  top functions (self time):');
    for (const f of r.profile.functions.slice(0, 15)) console.log(`    ${String(f.share).padStart(5)}%  ${f.name}`);
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  await checkBackingServices();
  const migrations = copyMigrations(REPO);
  const run = runId();
  console.log(`push benchmark ${run}: ${args.requests.toLocaleString('en-US')} requests to ${args.users.toLocaleString('en-US')} users (one device each, ${args.apnsEvery > 0 ? `1 in ${args.apnsEvery} APNs` : 'all FCM'}), ${args.latencyMs} ms provider latency, ${args.partitions} partitions`);
  console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'cpu'}, ${MB(os.totalmem())} MB, node ${process.version}`);
  console.log(`push processes run with NODE_OPTIONS ${args.nodeArgs.join(" ") || "(none)"}; providers: ${args.providers === "go" ? "the Go sink" : "the TypeScript fakes"}`);
  if (args.cpuProfileDir) fs.mkdirSync(args.cpuProfileDir, { recursive: true });

  const t0 = performance.now();
  const db = await openBenchDatabase(run, migrations, args.users, args.apnsEvery);
  console.log(`setup: ${args.users.toLocaleString('en-US')} devices inserted in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const backlog = await produceBacklog(run, args.requests, args.users, args.partitions);
  await backlog.log.close();
  console.log(`setup: ${args.requests.toLocaleString('en-US')} requests (${MB(backlog.bytes)} MB) produced in ${backlog.produceSeconds.toFixed(1)} s to ${backlog.topic}`);

  const results: SettingResult[] = [];
  try {
    for (const [index, setting] of args.settings.entries()) {
      const result = await runSetting(args, setting, index, run, db.url, backlog);
      printResult(result);
      results.push(result);
    }
  } finally {
    await db.drop();
  }

  console.log('\nsummary (notifications/min, end to end Kafka → push → fake provider):');
  console.log('  procs × in-flight × conns × streams | sustained  | steady     | peak RSS | CPU ms/1k | fcm p50/p99 ms');
  for (const r of results) {
    const s = r.setting;
    console.log(`  ${`${s.instances} × ${s.maxInFlight} × ${s.connectionsPerApp} × ${s.connectionConcurrency}`.padEnd(35)} | ${r.sustainedPerMinute.toLocaleString('en-US').padStart(10)} | ${r.steadyPerMinute.toLocaleString('en-US').padStart(10)} | ${`${r.pushPeakRssMB} MB`.padStart(8)} | ${String(r.pushCpuMsPer1000).padStart(9)} | ${r.providerLatencyMs.fcm.p50}/${r.providerLatencyMs.fcm.p99}`);
  }
  console.log(`  target: Discord's figure is over ${DISCORD_PER_MINUTE.toLocaleString('en-US')}/min`);

  fs.mkdirSync(path.dirname(RESULTS), { recursive: true });
  fs.writeFileSync(RESULTS, `${JSON.stringify({
    benchmark: 'push',
    run,
    at: new Date().toISOString(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model.trim(), totalMemMB: MB(os.totalmem()), node: process.version },
    workload: { requests: args.requests, users: args.users, devicesPerUser: 1, apnsEvery: args.apnsEvery, providerLatencyMs: args.latencyMs, partitions: args.partitions, produceSeconds: round(backlog.produceSeconds, 2), fcmQuotaPerMinute: 1_000_000_000, providers: args.providers, pushNodeOptions: args.nodeArgs },
    targetPerMinute: DISCORD_PER_MINUTE,
    results: results.map((r) => ({ ...r, profile: r.profile ? { ...r.profile, file: path.basename(r.profile.file) } : undefined })),
  }, null, 2)}\n`);
  console.log(`\nwrote ${path.relative(REPO, RESULTS)}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
