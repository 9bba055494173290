// The providers of a bench run as the Go sink (bench/push/sink): the same FCM and APNs endpoints,
// credentials checks and answers as the TypeScript fakes, in a separate process with a fraction of
// their CPU per notification, so the machine's CPU goes to the push service under test. Built with
// the local Go toolchain on first use (and whenever its sources change); no fallback to the fakes.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import type { KeyObject } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generateApnsKey, generateServiceAccount } from '../../services/push/src/testing';
import type { Fakes, ProviderStats } from './fakes';
import { APNS_APP, APNS_BUNDLE, FCM_APP } from './setup';

// Compiled to bench/push/dist/bench/push/go-sink.js; the paths are the repository's.
const REPO = path.resolve(__dirname, '../../../../..');
const SOURCE = path.join(REPO, 'bench/push/sink');
const BINARY = path.join(REPO, 'bench/push/dist/sink/push-sink');
const CLOCK_TICKS = 100; // USER_HZ on Linux
const READY_TIMEOUT_MS = 10_000;
const PROJECT_ID = 'switchboard-bench';

/** Builds the sink unless the binary is newer than every source file; throws when Go is missing or the build fails. */
export async function buildGoSink(): Promise<string> {
  const sources = fs.readdirSync(SOURCE).filter((f) => f.endsWith('.go') || f === 'go.mod');
  const newest = Math.max(...sources.map((f) => fs.statSync(path.join(SOURCE, f)).mtimeMs));
  if (fs.existsSync(BINARY) && fs.statSync(BINARY).mtimeMs >= newest) return BINARY;
  // GOTOOLCHAIN=local: build with the installed Go (≥ 1.24), never download one.
  const env = { ...process.env, GOTOOLCHAIN: 'local', CGO_ENABLED: '0' };
  await new Promise<void>((resolve, reject) => {
    execFile('go', ['build', '-o', BINARY, '.'], { cwd: SOURCE, env }, (error, _stdout, stderr) => {
      if (!error) resolve();
      else if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new Error('the Go sink needs the Go toolchain (≥ 1.24), but `go` is not on PATH: install Go or run the bench with --providers node'));
      } else reject(new Error(`building the Go sink (go build in ${path.relative(REPO, SOURCE)}) failed:\n${stderr.trim() || error.message}`));
    });
  });
  return BINARY;
}

export async function startGoSink(latencyMs: number): Promise<Fakes> {
  const binary = await buildGoSink();
  // The token_uri needs the sink's port: the account gets it once the sink listens (the key is what the sink checks).
  const account = generateServiceAccount({ tokenUri: 'http://127.0.0.1/token', projectId: PROJECT_ID });
  const key = generateApnsKey();
  const config = {
    latencyMs,
    fcm: { serviceAccounts: [{ clientEmail: account.serviceAccount.client_email, publicKeyPem: spki(account.publicKey), projectIds: [account.projectId] }] },
    apns: { keys: [{ teamId: key.teamId, keyId: key.keyId, publicKeyPem: spki(key.publicKey), topics: [APNS_BUNDLE] }] },
  };
  const sink = new SinkProcess(spawn(binary, [], { stdio: ['pipe', 'pipe', 'inherit'] }));
  sink.child.stdin!.write(`${JSON.stringify(config)}\n`);
  const { fcmPort, apnsPort } = await sink.listening();
  const fcmUrl = `http://127.0.0.1:${fcmPort}`;
  const serviceAccount = { ...account.serviceAccount, token_uri: `${fcmUrl}/token` };
  const apps = [
    { app_id: FCM_APP, platform: 'fcm', service_account: serviceAccount },
    { app_id: APNS_APP, platform: 'apns', team_id: key.teamId, key_id: key.keyId, private_key: key.privateKeyPem, bundle_id: APNS_BUNDLE, environment: 'sandbox' },
  ];
  return {
    kind: 'go',
    env: { PUSH_APPS: JSON.stringify(apps), PUSH_FCM_BASE_URL: fcmUrl, PUSH_APNS_BASE_URL: `http://127.0.0.1:${apnsPort}` },
    delivered: () => sink.fcmDelivered + sink.apnsDelivered,
    stats: () => ({ ...sink.stats }),
    cpuSeconds: () => sink.cpuSeconds(),
    close: () => sink.stop(),
  };
}

function spki(key: KeyObject): string {
  return key.export({ type: 'spki', format: 'pem' }).toString();
}

/** The running sink: its stdout lines parsed as they come, its CPU from /proc. */
class SinkProcess {
  fcmDelivered = 0;
  apnsDelivered = 0;
  stats: ProviderStats = { fcmConnections: 0, fcmMaxStreams: 0, apnsConnections: 0, apnsMaxStreams: 0 };
  readonly exited: Promise<void>;
  #ports: { fcmPort: number; apnsPort: number } | undefined;
  #exitCode: number | undefined;
  #pending = '';
  #lastCpu = 0;

  constructor(readonly child: ChildProcess) {
    // The exit code as soon as it exits (its pid may be reused after); done once its stdout is read too (final counts).
    child.once('exit', (code, signal) => {
      this.#exitCode = code ?? (signal === 'SIGTERM' ? 0 : -1);
    });
    this.exited = new Promise((resolve) => {
      child.once('close', () => resolve());
      // Spawn failures (the binary vanished) end here too, as an exit.
      child.once('error', () => {
        this.#exitCode ??= -1;
        resolve();
      });
    });
    child.stdin!.on('error', () => undefined); // the sink exited: its stdin is gone
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => this.#read(chunk));
  }

  async listening(): Promise<{ fcmPort: number; apnsPort: number }> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (!this.#ports) {
      if (this.#exitCode !== undefined) throw new Error(`the Go sink exited (${this.#exitCode}) before it listened; see its message above`);
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(`the Go sink did not listen within ${READY_TIMEOUT_MS / 1000} s`);
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return this.#ports;
  }

  /** utime + stime of the sink; after it exited, the last reading. */
  cpuSeconds(): number {
    // Once reaped its pid may be another process's.
    if (this.#exitCode !== undefined) return this.#lastCpu;
    try {
      const stat = fs.readFileSync(`/proc/${this.child.pid}/stat`, 'utf8');
      // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      this.#lastCpu = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
    } catch {
      // gone: keep the last reading
    }
    return this.#lastCpu;
  }

  /** SIGTERM (SIGKILL after 5 s), then waits until it exited and its last lines are read. */
  async stop(): Promise<void> {
    if (this.#exitCode !== undefined) return this.exited;
    this.cpuSeconds();
    this.child.kill('SIGTERM');
    const killer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await this.exited;
    clearTimeout(killer);
  }

  #read(chunk: string): void {
    const lines = (this.#pending + chunk).split('\n');
    this.#pending = lines.pop()!;
    for (const line of lines) {
      const f = line.split(' ');
      if (f[0] === 'd' && f.length === 3) {
        this.fcmDelivered = Number(f[1]);
        this.apnsDelivered = Number(f[2]);
      } else if (f[0] === 's' && f.length === 5) {
        this.stats = { fcmConnections: Number(f[1]), fcmMaxStreams: Number(f[2]), apnsConnections: Number(f[3]), apnsMaxStreams: Number(f[4]) };
      } else {
        const listening = /^listening fcm=(\d+) apns=(\d+)$/.exec(line);
        if (listening) this.#ports = { fcmPort: Number(listening[1]), apnsPort: Number(listening[2]) };
      }
    }
  }
}
