// CPU per delivery in fan-out: every event is encoded once, then stamped (and compressed) for each
// of many sessions, each with its own compression context, as the gateway does. Many contexts
// matter: at 1,000+ sessions they no longer fit in the CPU caches, which is what costs at scale.
import * as zlib from 'node:zlib';
import { jsonEncoding, PayloadCompressor } from '../../services/gateway/src/codec';
import type { JsonDispatch } from '../../services/gateway/src/codec';
import { MIN_CHUNK, SyncZlib } from '../../services/gateway/src/codec/sync-zlib';
import { round } from './bytes';
import { corpus } from './corpus';
import { encodeOnce, MODES, Session } from './modes';
import type { Mode } from './modes';

const WARM_EVENTS = 20;

function cpuMicros(since: NodeJS.CpuUsage): number {
  const spent = process.cpuUsage(since);
  return spent.user + spent.system;
}

/**
 * Mode → CPU µs per delivery (stamp + compress or join), `sessionCount` sessions per event.
 * `batch` events are delivered to a session back to back, as when a session's writer flushes
 * several frames queued in one event-loop turn: its compression context is then cache-hot after
 * the first frame, which is where most of the cost of thousands of contexts goes.
 */
export function measureFanOut(sessionCount: number, eventCount: number, batch = 1, modes: readonly Mode[] = MODES): Record<string, number> {
  const events = corpus(WARM_EVENTS + eventCount);
  const result: Record<string, number> = {};
  for (const mode of modes) {
    const dispatches = encodeOnce(mode, events);
    const sessions = Array.from({ length: sessionCount }, () => new Session(mode));
    let sink = 0;
    for (let e = 0; e < WARM_EVENTS; e++) for (const session of sessions) sink += session.send(dispatches[e]!, e + 1).length;
    const cpu = process.cpuUsage();
    for (let e = WARM_EVENTS; e < dispatches.length; e += batch) {
      const end = Math.min(e + batch, dispatches.length);
      for (const session of sessions) for (let k = e; k < end; k++) sink += session.send(dispatches[k]!, k + 1).length;
    }
    result[mode.name] = round(cpuMicros(cpu) / (eventCount * sessionCount), 2);
    for (const session of sessions) session.compressor?.close();
    if (sink < 0) throw new Error('unreachable');
    (globalThis as { gc?: () => void }).gc?.();
  }
  return result;
}

/** CPU µs to encode one event once (JSON, ETF, JSON + payload compression). */
export function measureEncodeOnce(eventCount: number): Record<string, number> {
  const events = corpus(eventCount);
  const payload = new PayloadCompressor();
  const time = (encode: () => unknown) => {
    encode(); // warm the JIT and erlpack's allocator; measure the second run
    const cpu = process.cpuUsage();
    encode();
    return round(cpuMicros(cpu) / eventCount, 2);
  };
  return {
    json: time(() => encodeOnce({ name: 'json', encoding: 'json' }, events)),
    etf: time(() => encodeOnce({ name: 'etf', encoding: 'etf' }, events)),
    'json+payload-zlib': time(() => events.map(({ t, d }) => payload.compressDispatch(jsonEncoding.encodeDispatch(t, d) as JsonDispatch))),
  };
}

/** One zlib context, message by message: Node's async stream API vs the synchronous driver. */
export async function measureZlibApis(messageCount: number): Promise<Record<string, { cpuUs: number; wallUs: number }>> {
  const frames = encodeOnce({ name: 'json', encoding: 'json' }, corpus(messageCount)).map((d, i) => Buffer.concat(d.forSeq(i + 1) as Buffer[]));
  const sync = new SyncZlib(zlib.createDeflate({ chunkSize: MIN_CHUNK }));
  let cpu = process.cpuUsage();
  let wall = process.hrtime.bigint();
  for (const frame of frames) sync.process(frame, zlib.constants.Z_SYNC_FLUSH);
  const syncResult = { cpuUs: round(cpuMicros(cpu) / messageCount, 2), wallUs: round(Number(process.hrtime.bigint() - wall) / 1000 / messageCount, 2) };
  sync.close();

  const stream = zlib.createDeflate();
  const out: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => out.push(chunk));
  cpu = process.cpuUsage();
  wall = process.hrtime.bigint();
  for (const frame of frames) {
    stream.write(frame);
    await new Promise<void>((resolve) => stream.flush(zlib.constants.Z_SYNC_FLUSH, () => resolve()));
    out.length = 0;
  }
  const asyncResult = { cpuUs: round(cpuMicros(cpu) / messageCount, 2), wallUs: round(Number(process.hrtime.bigint() - wall) / 1000 / messageCount, 2) };
  stream.close();
  return { 'sync (native handle)': syncResult, 'async (stream + flush callback)': asyncResult };
}
