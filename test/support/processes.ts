// Runs a built service entry point (dist/) as a real child process, as Kubernetes would.
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '../..');

export function builtEntryPoint(relative: string): string {
  const file = path.join(REPO_ROOT, relative);
  if (!existsSync(file)) throw new Error(`${relative} is missing: build first (npm run build; make test does)`);
  return file;
}

export interface Exited {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunningProcess {
  readonly child: ChildProcess;
  output(): { stdout: string; stderr: string };
  /** Resolves when stdout has a line matching `pattern` (rejects if the process exits first). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  exited: Promise<Exited>;
}

export function startProcess(entry: string, env: Record<string, string>): RunningProcess {
  const child = spawn(process.execPath, [entry], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<Exited>((resolve) =>
    child.on('exit', (code, signal) => setImmediate(() => resolve({ code, signal, stdout, stderr }))),
  );
  const waitFor = (pattern: RegExp, timeoutMs = 30_000): Promise<string> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        clearInterval(poll);
        reject(new Error(`timed out waiting for ${pattern}; stdout:\n${stdout}\nstderr:\n${stderr}`));
      }, timeoutMs);
      const poll = setInterval(() => {
        const line = stdout.split('\n').find((l) => pattern.test(l));
        if (line !== undefined) {
          clearInterval(poll);
          clearTimeout(timer);
          resolve(line);
        } else if (child.exitCode !== null) {
          clearInterval(poll);
          clearTimeout(timer);
          reject(new Error(`process exited (${child.exitCode}) before ${pattern}; stderr:\n${stderr}`));
        }
      }, 50);
    });
  return { child, output: () => ({ stdout, stderr }), waitFor, exited };
}

export interface NamedProcess {
  name: string;
  process: RunningProcess;
}

/** Stops every process still running: SIGTERM (a graceful stop), SIGKILL after `graceMs`. */
export async function stopAll(processes: readonly NamedProcess[], graceMs = 10_000): Promise<void> {
  const alive = processes.map((p) => p.process).filter(({ child }) => child.exitCode === null && child.signalCode === null);
  for (const { child } of alive) child.kill('SIGTERM');
  await Promise.all(alive.map(async ({ child, exited }) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }));
}

/** SWITCHBOARD_TEST_PROCESS_LOGS=<dir>: writes each process's stdout and stderr there as `<prefix><name>-<run>.log`, to look into a failure. */
export function dumpProcessLogs(processes: readonly NamedProcess[], run: string, prefix = ''): void {
  const dir = process.env.SWITCHBOARD_TEST_PROCESS_LOGS;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  for (const { name, process: running } of processes) {
    const { stdout, stderr } = running.output();
    writeFileSync(path.join(dir, `${prefix}${name}-${run}.log`), stdout + stderr);
  }
}
