// Gateway benchmark: idle memory per session (json/none, zlib-stream, zstd-stream), fan-out
// deliveries per second with server CPU per delivery (json/none, zstd-stream), and publish → frame
// latency at about half of the measured peak. Prints tables with the DESIGN.md targets beside each
// figure and writes bench/results/gateway.json. Run: `npm run bench:gateway` (compiles with
// bench/gateway/tsconfig.json), options: `-- --sessions 10000 --workers 4 --only memory,fanout`.
//
// Each scenario runs in a fresh gateway process (this file with `--scenario`, node --expose-gc) so
// RSS deltas are not blurred by a previous scenario's freed pages: the real startGateway (embedded
// mode, ports 0, silent logs, 10 min heartbeat interval so idle clients need not beat), clients in
// child processes (client-worker.ts), sessions subscribed to one guild with registry.subscribe,
// messages published with registry.dispatchToGuild. Figures, never assertions.
import './resolve-sources';
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { RunningGateway } from '../../services/gateway/src/start';
import { startEmbeddedGateway } from '../../services/gateway/src/testing/embedded-gateway';
import type { FromWorker, ToWorker } from './client-worker';
import { LATENCY_BUCKETS, LATENCY_BUCKET_US } from './client-worker';

const REPO = path.resolve(__dirname, '../../../../..');
const RESULTS = path.join(REPO, 'bench/results/gateway.json');
const GUILD = String(41771983423143937n);
const FIRST_USER = 175928847299117063n;

type Compression = 'none' | 'zlib-stream' | 'zstd-stream';

interface Args {
  sessions: number;
  workers: number;
  only: string[];
  scenario?: string;
  compression: Compression;
  peakRate?: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { sessions: 10_000, workers: 4, only: ['memory', 'fanout'], compression: 'none' };
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i + 1];
    switch (argv[i]) {
      case '--sessions': args.sessions = Number(value); i++; break;
      case '--workers': args.workers = Number(value); i++; break;
      case '--only': args.only = value!.split(','); i++; break;
      case '--scenario': args.scenario = value; i++; break;
      case '--compression': args.compression = value as Compression; i++; break;
      case '--peak-rate': args.peakRate = Number(value); i++; break;
    }
  }
  return args;
}

// ---------------------------------------------------------------- scenario process (the gateway)

interface MemorySample { rss: number; heapUsed: number; external: number; arrayBuffers: number }

function gcAndSample(): MemorySample {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  for (let i = 0; i < 4; i++) gc();
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

class Workers {
  readonly children: ChildProcess[] = [];
  readonly #inbox: FromWorker[][] = [];
  readonly #wake: (() => void)[] = [];

  constructor(count: number) {
    for (let i = 0; i < count; i++) {
      const child = fork(path.join(__dirname, 'client-worker.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      this.#inbox.push([]);
      child.on('message', (message: FromWorker) => {
        this.#inbox[i]!.push(message);
        for (const wake of this.#wake.splice(0)) wake();
      });
      this.children.push(child);
    }
  }

  send(i: number, message: ToWorker): void {
    this.children[i]!.send(message);
  }

  broadcast(message: ToWorker): void {
    for (let i = 0; i < this.children.length; i++) this.send(i, message);
  }

  /** One message of `type` from every worker, or throws after timeoutMs. */
  async collect<T extends FromWorker['type']>(type: T, timeoutMs: number): Promise<Extract<FromWorker, { type: T }>[]> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      if (this.#inbox.every((box) => box.some((m) => m.type === type))) {
        return this.#inbox.map((box) => box.splice(box.findIndex((m) => m.type === type), 1)[0] as Extract<FromWorker, { type: T }>);
      }
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`workers did not report '${type}' within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 1000));
        this.#wake.push(() => { clearTimeout(timer); resolve(); });
      });
    }
  }

  async exit(): Promise<void> {
    this.broadcast({ type: 'exit' });
    await Promise.all(this.children.map((child) => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve(undefined);
      const timer = setTimeout(() => { child.kill('SIGKILL'); resolve(undefined); }, 5000);
      child.once('exit', () => { clearTimeout(timer); resolve(undefined); });
    })));
  }
}

function message(id: number): Record<string, unknown> {
  // A typical guild MESSAGE_CREATE (~600 bytes of JSON); bench_sent_at is the publish time.
  return {
    id: String(id),
    type: 0,
    channel_id: '1300000000000000001',
    guild_id: GUILD,
    author: { id: '175928847299117063', username: 'benchmark', global_name: 'Benchmark User', avatar: 'a_8342729096ea3675442027381ff50dfe', discriminator: '0', public_flags: 0 },
    member: { roles: ['1300000000000000002'], joined_at: '2024-01-01T00:00:00.000000+00:00', deaf: false, mute: false, flags: 0 },
    content: `message ${id}: the quick brown fox jumps over the lazy dog, as it does in every benchmark`,
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: [],
    embeds: [],
    pinned: false,
    flags: 0,
    nonce: String(id),
    bench_sent_at: performance.timeOrigin + performance.now(),
  };
}

async function startBenchGateway(): Promise<RunningGateway> {
  // The compiled start.js resolves its migrations next to itself: copy them into dist once.
  const migrations = path.resolve(__dirname, '../../services/gateway/migrations');
  if (!fs.existsSync(migrations)) fs.cpSync(path.join(REPO, 'services/gateway/migrations'), migrations, { recursive: true });
  return startEmbeddedGateway({ GATEWAY_HEARTBEAT_INTERVAL: '10m', GATEWAY_MAX_SESSIONS: '25000' });
}

async function connectSessions(gateway: RunningGateway, workers: Workers, sessions: number, compression: Compression) {
  const issuedAt = Math.floor(Date.now() / 1000) - 1;
  const per = Math.ceil(sessions / workers.children.length);
  for (let w = 0; w < workers.children.length; w++) {
    const tokens: string[] = [];
    for (let i = w * per; i < Math.min(sessions, (w + 1) * per); i++) tokens.push(gateway.access.signer.sign({ userId: FIRST_USER + BigInt(i), issuedAt }));
    workers.send(w, { type: 'connect', port: gateway.edge.server.port, compression: compression === 'none' ? null : compression, tokens, inFlight: 64 });
  }
  const started = performance.now();
  const reports = await workers.collect('ready', 300_000);
  const ms = performance.now() - started;
  const ready = reports.reduce((sum, r) => sum + r.ready, 0);
  const failed = reports.reduce((sum, r) => sum + r.failed, 0);
  return { ready, failed, connectMs: ms, sessionsPerSecond: ready / (ms / 1000), registered: gateway.edge.registry.size };
}

function subscribeAll(gateway: RunningGateway): number {
  let count = 0;
  for (const session of [...gateway.edge.registry.sessions()]) {
    if (session.state !== 'ready') continue;
    gateway.edge.registry.subscribe(session, GUILD);
    count += 1;
  }
  return count;
}

const writeLatencies: number[] = [];

/** Publishes ids first..first+count-1 at `rate` messages/s (5 ms ticks, catching up when late). */
async function publishSteady(gateway: RunningGateway, first: number, count: number, rate: number): Promise<{ delivered: number; ms: number; maxPerTurn: number }> {
  const started = performance.now();
  let sent = 0;
  let delivered = 0;
  let maxPerTurn = 0;
  writeLatencies.length = 0;
  while (sent < count) {
    const due = Math.min(count, Math.floor(((performance.now() - started) * rate) / 1000) + 1);
    maxPerTurn = Math.max(maxPerTurn, due - sent);
    while (sent < due) {
      const at = performance.now();
      delivered += gateway.edge.registry.dispatchToGuild(GUILD, 'MESSAGE_CREATE', message(first + sent));
      sent += 1;
      // The transport flushes every queued frame in one setImmediate scheduled during the dispatch;
      // this one runs right after it: publish → all frames handed to the sockets (server side only).
      setImmediate(() => writeLatencies.push(performance.now() - at));
    }
    if (sent < count) await sleep(Math.max(1, Math.min(5, 1000 / rate)));
  }
  return { delivered, ms: performance.now() - started, maxPerTurn };
}

interface RoundResult {
  messages: number;
  rateOffered: number;
  deliveries: number;
  seconds: number;
  deliveriesPerSecond: number;
  serverCpuUs: number;
  cpuUsPerDelivery: number;
  complete: number;
  errors: number;
  maxMessagesPerTurn: number;
  latencyMs?: { p50: number; p90: number; p99: number; max: number; samples: number };
  /** Server side only: publish → the flush that hands every frame of that message to the sockets. */
  serverWriteMs?: { p50: number; p99: number; max: number };
}

async function round(gateway: RunningGateway, workers: Workers, sessions: number, first: number, count: number, rate: number, latency: boolean): Promise<RoundResult> {
  workers.broadcast({ type: 'expect', first, count, latency });
  await sleep(200);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const published = publishSteady(gateway, first, count, rate);
  const reports = await workers.collect('done', 120_000);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const { delivered, maxPerTurn } = await published;
  const serverCpuUs = cpu.user + cpu.system;
  const result: RoundResult = {
    messages: count,
    rateOffered: rate,
    deliveries: delivered,
    seconds: round3(seconds),
    deliveriesPerSecond: Math.round(delivered / seconds),
    serverCpuUs,
    cpuUsPerDelivery: round3(serverCpuUs / delivered),
    complete: reports.reduce((s, r) => s + r.complete, 0),
    errors: reports.reduce((s, r) => s + r.errors, 0),
    maxMessagesPerTurn: maxPerTurn,
  };
  if (result.complete !== sessions) throw new Error(`only ${result.complete} of ${sessions} sessions got every message`);
  if (latency) {
    const hist = new Array<number>(LATENCY_BUCKETS).fill(0);
    for (const r of reports) r.hist!.forEach((c, i) => (hist[i]! += c));
    result.latencyMs = percentiles(hist);
    const sorted = [...writeLatencies].sort((a, b) => a - b);
    const q = (x: number) => round3(sorted[Math.min(sorted.length - 1, Math.ceil(x * sorted.length) - 1)]!);
    result.serverWriteMs = { p50: q(0.5), p99: q(0.99), max: q(1) };
  }
  return result;
}

function percentiles(hist: number[]) {
  const total = hist.reduce((a, b) => a + b, 0);
  const at = (q: number) => {
    const target = Math.ceil(q * total);
    let seen = 0;
    for (let i = 0; i < hist.length; i++) {
      seen += hist[i]!;
      if (seen >= target) return round3(((i + 1) * LATENCY_BUCKET_US) / 1000);
    }
    return NaN;
  };
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: at(1), samples: total };
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

async function memoryScenario(args: Args) {
  const gateway = await startBenchGateway();
  const workers = new Workers(args.workers);
  try {
    await sleep(500);
    const baseline = gcAndSample();
    const connect = await connectSessions(gateway, workers, args.sessions, args.compression);
    await sleep(1000);
    const afterReady = gcAndSample();
    // Idle: one heartbeat each, as every client sends per interval (acks READY: the replay buffer
    // empties; a quiet zlib-stream connection releases its context on a flush with no dispatch).
    const beat = async () => {
      workers.broadcast({ type: 'beat' });
      const acks = (await workers.collect('beaten', 120_000)).reduce((sum, r) => sum + r.acks, 0);
      if (acks !== connect.ready) throw new Error(`${acks} heartbeat ACKs for ${connect.ready} sessions`);
      await sleep(500);
    };
    await beat();
    const idle = gcAndSample();
    const subscribed = subscribeAll(gateway);
    // A few dispatches: every session's compression context is allocated and has been used.
    const few = 3;
    for (let i = 0; i < few; i++) {
      await round(gateway, workers, subscribed, i * 10, 1, 1000, false);
    }
    await sleep(500);
    const afterDispatches = gcAndSample();
    await beat();
    const idleAfterDispatches = gcAndSample();
    const per = (a: MemorySample, b: MemorySample, n: number) => ({
      rssBytes: Math.round((b.rss - a.rss) / n),
      heapBytes: Math.round((b.heapUsed - a.heapUsed) / n),
      externalBytes: Math.round((b.external - a.external) / n),
    });
    return {
      compression: args.compression,
      sessions: connect.ready,
      connect,
      baseline,
      afterReady,
      idle,
      afterDispatches,
      idleAfterDispatches,
      dispatchesPerSession: few,
      perSessionAfterReady: per(baseline, afterReady, connect.ready),
      perSessionIdle: per(baseline, idle, connect.ready),
      perSessionAfterDispatches: per(baseline, afterDispatches, connect.ready),
      perSessionIdleAfterDispatches: per(baseline, idleAfterDispatches, connect.ready),
    };
  } finally {
    await workers.exit();
  }
}

async function fanoutScenario(args: Args) {
  const gateway = await startBenchGateway();
  const workers = new Workers(args.workers);
  try {
    const connect = await connectSessions(gateway, workers, args.sessions, args.compression);
    const subscribed = subscribeAll(gateway);
    let next = 0;
    // Warm-up: allocate compression contexts, JIT the paths.
    await round(gateway, workers, subscribed, next, 10, 100, false);
    next += 10;
    // Peak: a burst (offered far above capacity: every message is due at once, so frames for a
    // socket share writes); the delivery rate is what completes.
    const peakMessages = Math.max(20, Math.min(200, Math.round(2_000_000 / subscribed)));
    const peak = await round(gateway, workers, subscribed, next, peakMessages, args.peakRate ?? 4000, false);
    next += peakMessages;
    // Steady rates at fractions of that peak (½ is the latency point of the targets), ~4 s each.
    const steady: Record<string, RoundResult> = {};
    for (const [name, fraction] of [['1/2', 0.5], ['1/4', 0.25], ['1/10', 0.1]] as const) {
      const rate = (peak.deliveriesPerSecond * fraction) / subscribed;
      const messages = Math.max(8, Math.min(2000, Math.round(rate * 4)));
      steady[name] = await round(gateway, workers, subscribed, next, messages, rate, true);
      next += messages;
    }
    return { compression: args.compression, sessions: subscribed, connect, peak, halfPeak: steady['1/2']!, steady };
  } finally {
    await workers.exit();
  }
}

// ---------------------------------------------------------------- orchestrator

function runScenario(scenario: string, compression: Compression, args: Args): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, ['--scenario', scenario, '--compression', compression, '--sessions', String(args.sessions), '--workers', String(args.workers), ...(args.peakRate ? ['--peak-rate', String(args.peakRate)] : [])], {
      execArgv: ['--expose-gc', ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [])],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let result: unknown;
    const timer = setTimeout(() => child.kill('SIGKILL'), 900_000);
    child.on('message', (m: { result?: unknown; error?: string }) => {
      if (m.error) reject(new Error(`${scenario}/${compression}: ${m.error}`));
      else result = m.result;
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (result !== undefined) resolve(result);
      else reject(new Error(`${scenario}/${compression} exited with ${code}`));
    });
  });
}

const KB = (bytes: number) => (bytes / 1024).toFixed(2);

async function orchestrate(args: Args): Promise<void> {
  console.log(`gateway bench: ${args.sessions} sessions, ${args.workers} client processes, node ${process.version}, ${os.cpus().length} cpus`);
  const out: Record<string, unknown> = {
    generatedAt: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    sessionsRequested: args.sessions,
    clientProcesses: args.workers,
    targets: { idleNoneBytes: 4096, idleZstdBytes: 65536, cpuUsPerDeliveryNone: 2.5, cpuUsPerDeliveryZstd: 12, p99EmbeddedMs: 5 },
  };
  if (args.only.includes('memory')) {
    const memory: Record<string, any> = {};
    for (const compression of ['none', 'zlib-stream', 'zstd-stream'] as const) {
      console.log(`… memory, json/${compression}`);
      memory[compression] = await runScenario('memory', compression, args);
    }
    out.memory = memory;
    const target: Record<string, string> = { none: '≤ 4 KB', 'zlib-stream': '—', 'zstd-stream': '≤ 64 KB' };
    console.log('\nIdle memory per session (gateway process, after GC; delta vs before connecting)');
    console.log('KB per session (RSS / heap): just after READY; idle = after one heartbeat; after 3 dispatches; idle again after a heartbeat');
    console.log('| mode | sessions | connect /s | after READY | idle | after 3 dispatches | idle after dispatches | target (idle RSS) |');
    console.log('|---|---|---|---|---|---|---|---|');
    const pair = (p: { rssBytes: number; heapBytes: number }) => `${KB(p.rssBytes)} / ${KB(p.heapBytes)}`;
    for (const [mode, m] of Object.entries(memory)) {
      console.log(`| json/${mode} | ${m.sessions} | ${Math.round(m.connect.sessionsPerSecond)} | ${pair(m.perSessionAfterReady)} | ${pair(m.perSessionIdle)} | ${pair(m.perSessionAfterDispatches)} | ${pair(m.perSessionIdleAfterDispatches)} | ${target[mode]} |`);
    }
    writeResults(out);
  }
  if (args.only.includes('fanout')) {
    const fanout: Record<string, any> = {};
    for (const compression of ['none', 'zstd-stream'] as const) {
      console.log(`… fan-out, json/${compression}`);
      fanout[compression] = await runScenario('fanout', compression, args);
    }
    out.fanout = fanout;
    const target: Record<string, string> = { none: '≤ 2.5', 'zstd-stream': '≤ 12' };
    console.log('\nFan-out to one guild (server CPU = process.cpuUsage of the gateway process over the round)');
    console.log('| mode | sessions | round | messages | offered msg/s | deliveries/s | server µs/delivery | target µs | max msgs per turn | all got all, in order | p50 ms | p99 ms | p99 target | server-side publish→written p50/p99 ms |');
    console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const [mode, f] of Object.entries(fanout)) {
      for (const [name, r] of [['peak (burst)', f.peak], ...Object.entries(f.steady).map(([k, v]) => [`steady ${k} peak`, v])] as [string, RoundResult][]) {
        const ok = r.complete === f.sessions && r.errors === 0 ? 'yes' : `NO (${r.complete}/${f.sessions}, ${r.errors} errors)`;
        console.log(`| json/${mode} | ${f.sessions} | ${name} | ${r.messages} | ${Math.round(r.rateOffered)} | ${r.deliveriesPerSecond} | ${r.cpuUsPerDelivery} | ${target[mode]} | ${r.maxMessagesPerTurn} | ${ok} | ${r.latencyMs?.p50 ?? '—'} | ${r.latencyMs?.p99 ?? '—'} | ${r.latencyMs ? '≤ 5 (embedded)' : ''} | ${r.serverWriteMs ? `${r.serverWriteMs.p50} / ${r.serverWriteMs.p99}` : '—'} |`);
      }
    }
    writeResults(out);
  }
  console.log(`\nwrote ${path.relative(REPO, RESULTS)}`);
}

function writeResults(out: Record<string, unknown>): void {
  fs.mkdirSync(path.dirname(RESULTS), { recursive: true });
  fs.writeFileSync(RESULTS, `${JSON.stringify(out, null, 2)}\n`);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (!args.scenario) return orchestrate(args);
  try {
    const result = args.scenario === 'memory' ? await memoryScenario(args) : await fanoutScenario(args);
    process.send!({ result });
  } catch (error) {
    process.send!({ error: error instanceof Error ? error.stack ?? error.message : String(error) });
  }
  setTimeout(() => process.exit(0), 200);
}

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});
