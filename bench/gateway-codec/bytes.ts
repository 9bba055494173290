// Bytes on the wire per message type for one long-lived session, after a warm-up. WebSocket
// framing (2–4 bytes a message) is left out: it is the same for every mode.
import { corpus, WARMUP } from './corpus';
import { encodeOnce, MODES, Session } from './modes';
import type { Mode } from './modes';

/** Mode → message type (and ALL) → average bytes per message. */
export type BytesTable = Record<string, Record<string, number>>;

export interface BytesResult {
  readonly bytes: BytesTable;
  /** Mode → CPU µs per message for one session with a hot cache (stamp + compress). */
  readonly singleSessionUs: Record<string, number>;
}

export function measureBytes(count: number, modes: readonly Mode[] = MODES, guilds = 1): BytesResult {
  const events = corpus(WARMUP + count, guilds);
  const bytes: BytesTable = {};
  const singleSessionUs: Record<string, number> = {};
  for (const mode of modes) {
    const dispatches = encodeOnce(mode, events);
    const session = new Session(mode);
    for (let i = 0; i < WARMUP; i++) session.send(dispatches[i]!, i + 1);
    const sizes = new Array<number>(dispatches.length);
    const cpu = process.cpuUsage();
    for (let i = WARMUP; i < dispatches.length; i++) sizes[i] = session.send(dispatches[i]!, i + 1).length;
    const spent = process.cpuUsage(cpu);
    singleSessionUs[mode.name] = round((spent.user + spent.system) / count, 2);
    bytes[mode.name] = averageByType(dispatches.map((d) => d.t), sizes);
    session.compressor?.close();
  }
  return { bytes, singleSessionUs };
}

function averageByType(types: readonly string[], sizes: readonly number[]): Record<string, number> {
  const sums: Record<string, { bytes: number; count: number }> = {};
  for (let i = WARMUP; i < sizes.length; i++) {
    for (const key of [types[i]!, 'ALL']) {
      const sum = (sums[key] ??= { bytes: 0, count: 0 });
      sum.bytes += sizes[i]!;
      sum.count += 1;
    }
  }
  return Object.fromEntries(Object.entries(sums).map(([t, s]) => [t, round(s.bytes / s.count, 1)]));
}

export function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
