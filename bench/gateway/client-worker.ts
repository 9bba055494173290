// A child process holding a share of the benchmark's client sessions (so the gateway process keeps
// its own file-descriptor budget). Each connection identifies with its minted token, waits for
// READY, then counts the MESSAGE_CREATE frames it receives and checks that it got every message of
// a round, in order (ids consecutive, seq +1 each time). Optionally records publish → frame latency
// (arrival − `bench_sent_at` stamped at dispatch time; same machine clock) into a histogram.
// Driven by IPC messages from gateway.bench.ts; bounded by the parent's timeouts.
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import { GatewayFrameReader } from '../../services/gateway/src/codec/client';
import type { TransportCompressionName } from '../../services/gateway/src/codec';

export const LATENCY_BUCKET_US = 20;
export const LATENCY_BUCKETS = 100_000; // 20 µs × 100k = 2 s

interface Conn {
  ws: WebSocket;
  reader: GatewayFrameReader;
  ready: boolean;
  lastS: number;
  next: number;
}

export type ToWorker =
  | { type: 'connect'; port: number; compression: TransportCompressionName | null; tokens: string[]; inFlight: number }
  | { type: 'expect'; first: number; count: number; latency: boolean }
  | { type: 'progress' }
  | { type: 'beat' }
  | { type: 'exit' };

export type FromWorker =
  | { type: 'ready'; ready: number; failed: number; ms: number }
  | { type: 'done'; complete: number; errors: number; received: number; hist?: number[] }
  | { type: 'progress'; complete: number; errors: number; received: number }
  | { type: 'beaten'; acks: number };

const conns: Conn[] = [];
let failed = 0;
let readyCount = 0;
let roundFirst = 0;
let roundEnd = 0;
let complete = 0;
let errors = 0;
let received = 0;
let latency: Uint32Array | undefined;
let roundOpen = false;
let acks = 0;
let beating = false;

const send = (message: FromWorker) => process.send!(message);
const wallNow = () => performance.timeOrigin + performance.now();

function onFrame(conn: Conn, data: Buffer, isBinary: boolean): void {
  const arrival = latency ? wallNow() : 0;
  const payload = conn.reader.read(data, isBinary);
  if (!payload) return;
  if (payload.op === 0 && payload.t === 'MESSAGE_CREATE') {
    received += 1;
    const d = payload.d as { id: string; bench_sent_at: number };
    const id = Number(d.id);
    if (id !== conn.next || (payload.s as number) !== conn.lastS + 1) errors += 1;
    conn.lastS = payload.s as number;
    conn.next = id + 1;
    if (latency) {
      const bucket = Math.min(LATENCY_BUCKETS - 1, Math.max(0, Math.floor(((arrival - d.bench_sent_at) * 1000) / LATENCY_BUCKET_US)));
      latency[bucket]! += 1;
    }
    if (roundOpen && id === roundEnd - 1) {
      complete += 1;
      if (complete === conns.length) finishRound();
    }
    return;
  }
  if (payload.op === 0 && payload.t === 'READY') {
    conn.lastS = payload.s as number;
    conn.ready = true;
    readyCount += 1;
    return;
  }
  if (payload.op === 0) conn.lastS = payload.s as number;
  if (payload.op === 11 && beating) {
    acks += 1;
    if (acks === conns.length) {
      beating = false;
      send({ type: 'beaten', acks });
    }
  }
}

function finishRound(): void {
  roundOpen = false;
  send({ type: 'done', complete, errors, received, ...(latency ? { hist: Array.from(latency) } : {}) });
  latency = undefined;
}

async function connectAll(message: Extract<ToWorker, { type: 'connect' }>): Promise<void> {
  const started = performance.now();
  const query = `v=10&encoding=json${message.compression ? `&compress=${message.compression}` : ''}`;
  const url = `ws://127.0.0.1:${message.port}/?${query}`;
  let nextIndex = 0;
  const one = (token: string) =>
    new Promise<void>((resolve) => {
      const reader = new GatewayFrameReader({ encoding: 'json', compression: message.compression ?? undefined });
      const ws = new WebSocket(url, { perMessageDeflate: false });
      const conn: Conn = { ws, reader, ready: false, lastS: 0, next: 0 };
      const timer = setTimeout(() => {
        failed += 1;
        ws.terminate();
        resolve();
      }, 30_000);
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        const wasReady = conn.ready;
        const payload = wasReady ? undefined : conn.reader.read(data, isBinary);
        if (wasReady) return onFrame(conn, data, isBinary);
        if (!payload) return;
        if (payload.op === 10) {
          ws.send(JSON.stringify({ op: 2, d: { token, intents: (1 << 0) | (1 << 9), properties: { os: 'linux', browser: 'switchboard-bench', device: 'switchboard-bench' } } }));
        } else if (payload.op === 0 && payload.t === 'READY') {
          conn.lastS = payload.s as number;
          conn.ready = true;
          readyCount += 1;
          conns.push(conn);
          clearTimeout(timer);
          resolve();
        } else if (payload.op === 9) {
          failed += 1;
          clearTimeout(timer);
          ws.terminate();
          resolve();
        }
      });
      ws.on('error', () => undefined);
      ws.on('close', () => {
        if (!conn.ready) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  const lane = async () => {
    while (nextIndex < message.tokens.length) await one(message.tokens[nextIndex++]!);
  };
  await Promise.all(Array.from({ length: Math.min(message.inFlight, message.tokens.length) }, lane));
  send({ type: 'ready', ready: readyCount, failed, ms: performance.now() - started });
}

process.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'connect':
      void connectAll(message);
      break;
    case 'expect':
      roundFirst = message.first;
      roundEnd = message.first + message.count;
      complete = 0;
      errors = 0;
      received = 0;
      for (const conn of conns) conn.next = roundFirst;
      latency = message.latency ? new Uint32Array(LATENCY_BUCKETS) : undefined;
      roundOpen = true;
      if (conns.length === 0) finishRound();
      break;
    case 'beat':
      // One heartbeat per session (acks the last seq, as an idle client does every interval).
      acks = 0;
      beating = true;
      for (const conn of conns) conn.ws.send(JSON.stringify({ op: 1, d: conn.lastS }));
      if (conns.length === 0) send({ type: 'beaten', acks: 0 });
      break;
    case 'progress':
      send({ type: 'progress', complete, errors, received });
      break;
    case 'exit':
      for (const conn of conns) conn.ws.terminate();
      setTimeout(() => process.exit(0), 100);
      break;
  }
});
process.on('disconnect', () => process.exit(0));
