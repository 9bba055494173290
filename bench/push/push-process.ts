// The push service under test as its own OS process, as a cluster runs it: the compiled
// services/push/src/main.js (with resolve-sources preloaded), configured only through its
// environment. Separate so its memory (VmHWM, sampled VmRSS) and CPU (utime + stime) are its own,
// not the load generator's or the fakes'.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

const DIST = path.resolve(__dirname, '../..');
const MAIN = path.join(DIST, 'services/push/src/main.js');
const RESOLVE_SOURCES = path.join(DIST, 'bench/gateway/resolve-sources.js');
const CLOCK_TICKS = 100; // USER_HZ on Linux

/** A port nobody listens on right now (for PUSH_HTTP_PORT, whose /metrics the bench scrapes). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface CpuTimes { user: number; system: number }

export class PushProcess {
  peakSampledRss = 0;
  readonly #child: ChildProcess;
  readonly #exited: Promise<number | null>;
  #sampler: NodeJS.Timeout | undefined;

  private constructor(child: ChildProcess, readonly httpPort: number) {
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  /** Starts main.js with `env` on top of a clean environment (PATH and HOME only), and waits until /readyz answers. */
  static async start(env: Record<string, string>, options: { cpuProfileDir?: string; nodeArgs?: string[] } = {}): Promise<PushProcess> {
    const httpPort = await freePort();
    // --cpu-prof is refused in NODE_OPTIONS: a node flag of the child instead.
    const profile = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
    const child = spawn(process.execPath, [...profile, ...(options.nodeArgs ?? []), '--trace-warnings', '-r', RESOLVE_SOURCES, MAIN], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PUSH_HTTP_PORT: String(httpPort), ...env },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const push = new PushProcess(child, httpPort);
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the push process exited with ${child.exitCode} before it was ready`);
      if (await push.ready()) break;
      if (Date.now() > deadline) throw new Error('the push process was not ready within 60 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    push.#sampler = setInterval(() => { push.peakSampledRss = Math.max(push.peakSampledRss, push.status('VmRSS')); }, 100);
    return push;
  }

  get pid(): number {
    return this.#child.pid!;
  }

  /** A /proc/<pid>/status figure in bytes (VmHWM: the peak resident set; VmRSS: now). */
  status(field: 'VmHWM' | 'VmRSS'): number {
    try {
      const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${this.pid}/status`, 'utf8'));
      return match ? Number(match[1]) * 1024 : 0;
    } catch {
      return 0;
    }
  }

  /** CPU seconds used so far (user and system), from /proc/<pid>/stat. */
  cpu(): CpuTimes {
    const stat = fs.readFileSync(`/proc/${this.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { user: Number(fields[11]) / CLOCK_TICKS, system: Number(fields[12]) / CLOCK_TICKS };
  }

  async metrics(): Promise<string> {
    const response = await fetch(`http://127.0.0.1:${this.httpPort}/metrics`);
    return response.text();
  }

  /** SIGTERM (graceful: the consumer stops and commits, a CPU profile is written), SIGKILL after 30 s. */
  async stop(): Promise<number | null> {
    clearInterval(this.#sampler);
    if (this.#child.exitCode !== null) return this.#child.exitCode;
    this.#child.kill('SIGTERM');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 30_000);
    const code = await this.#exited;
    clearTimeout(timer);
    return code;
  }

  private async ready(): Promise<boolean> {
    try {
      return (await fetch(`http://127.0.0.1:${this.httpPort}/readyz`)).ok;
    } catch {
      return false;
    }
  }
}

/** The process's own view of its memory (prom-client's default metrics) every 2 s: what its peak RSS is made of. */
export class HeapPeaks {
  heapUsed = 0;
  heapTotal = 0;
  external = 0;
  readonly #timer: NodeJS.Timeout;

  constructor(push: PushProcess) {
    this.#timer = setInterval(() => {
      push.metrics().then((text) => {
        this.heapUsed = Math.max(this.heapUsed, metricValue(text, 'nodejs_heap_size_used_bytes'));
        this.heapTotal = Math.max(this.heapTotal, metricValue(text, 'nodejs_heap_size_total_bytes'));
        this.external = Math.max(this.external, metricValue(text, 'nodejs_external_memory_bytes'));
      }, () => undefined);
    }, 2000);
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}

/** Sum of a Prometheus metric's samples whose labels include every pair of `labels`. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!match || match[1] !== name) continue;
    const set = match[2] ?? '';
    if (Object.entries(labels).every(([k, v]) => set.includes(`${k}="${v}"`))) sum += Number(match[3]);
  }
  return sum;
}

/** A quantile of a Prometheus histogram (summed over the series matching `labels`), interpolated within its bucket. */
export function histogramQuantile(text: string, name: string, q: number, labels: Record<string, string> = {}): number {
  const buckets = new Map<number, number>();
  for (const line of text.split('\n')) {
    const match = new RegExp(`^${name}_bucket\\{([^}]*)\\}\\s+(\\S+)`).exec(line);
    if (!match || !Object.entries(labels).every(([k, v]) => match[1]!.includes(`${k}="${v}"`))) continue;
    const le = /le="([^"]+)"/.exec(match[1]!)![1]!;
    const bound = le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le);
    buckets.set(bound, (buckets.get(bound) ?? 0) + Number(match[2]));
  }
  const sorted = [...buckets.entries()].sort((a, b) => a[0] - b[0]);
  const total = sorted[sorted.length - 1]?.[1] ?? 0;
  if (total === 0) return Number.NaN;
  const rank = q * total;
  let [lower, below] = [0, 0];
  for (const [bound, count] of sorted) {
    if (count >= rank) {
      if (!Number.isFinite(bound)) return lower;
      return lower + ((rank - below) / Math.max(1, count - below)) * (bound - lower);
    }
    [lower, below] = [bound, count];
  }
  return lower;
}
