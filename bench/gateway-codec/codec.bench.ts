// Gateway codec benchmark: bytes on the wire per message type and mode, CPU per delivery in
// fan-out, and memory per compression context for each tuning. Prints tables and writes
// bench/results/gateway-codec.json. Run: `npm run bench:codec` (compiles with
// bench/gateway-codec/tsconfig.json, then runs node --expose-gc). Figures, never assertions.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_ZLIB_TUNING, DISCORD_ZSTD_TUNING, LEAN_ZLIB_TUNING, LEAN_ZSTD_TUNING } from '../../services/gateway/src/codec';
import type { ZlibTuning, ZstdTuning } from '../../services/gateway/src/codec';
import { measureBytes, round } from './bytes';
import { SEED, WARMUP } from './corpus';
import { measureEncodeOnce, measureFanOut, measureZlibApis } from './cpu';
import { measureContext } from './memory';
import { MESSAGE_HEAVY_MIX } from './message-mix';
import { MODES } from './modes';
import type { Mode } from './modes';

const BYTES_MESSAGES = 3000;
const FANOUT_SESSIONS = 1000;
const FANOUT_EVENTS = 100;
const BATCH = 10;
const FEW_MESSAGES = 5;
const FULL_WINDOW_MESSAGES = 300;
const CONTEXTS = 2000;
const FULL_WINDOW_CONTEXTS = 1000;

const ZSTD_GRID: Record<string, ZstdTuning> = {
  'discord L6 w18 h16 c16': DISCORD_ZSTD_TUNING,
  'lean L6 w17 h14 c14': LEAN_ZSTD_TUNING,
  'L6 w16 h14 c14': { level: 6, windowLog: 16, hashLog: 14, chainLog: 14 },
  'L9 w16 h14 c14': { level: 9, windowLog: 16, hashLog: 14, chainLog: 14 },
  'L6 w16 h13 c13': { level: 6, windowLog: 16, hashLog: 13, chainLog: 13 },
  'L4 w17 h14 c14': { level: 4, windowLog: 17, hashLog: 14, chainLog: 14 },
  'L3 w17 h14 c13': { level: 3, windowLog: 17, hashLog: 14, chainLog: 13 },
  'L3 w18 h15 c14': { level: 3, windowLog: 18, hashLog: 15, chainLog: 14 },
};

const ZLIB_GRID: Record<string, ZlibTuning> = {
  'default wb15 ml8': DEFAULT_ZLIB_TUNING,
  'wb14 ml7': { level: 6, windowBits: 14, memLevel: 7 },
  'lean wb13 ml6': LEAN_ZLIB_TUNING,
  'wb12 ml5': { level: 6, windowBits: 12, memLevel: 5 },
};

function log(title: string, rows: unknown): void {
  process.stdout.write(`\n== ${title}\n`);
  console.table(rows);
}

function tuningGrid() {
  const zstdModes: Mode[] = Object.entries(ZSTD_GRID).map(([name, zstd]) => ({ name, encoding: 'json', zstd }));
  const zlibModes: Mode[] = Object.entries(ZLIB_GRID).map(([name, zlib]) => ({ name, encoding: 'json', zlib }));
  const { bytes, singleSessionUs } = measureBytes(BYTES_MESSAGES, [...zstdModes, ...zlibModes]);
  const discordBytes = bytes['discord L6 w18 h16 c16']!['ALL']!;
  const zlibBytes = bytes['default wb15 ml8']!['ALL']!;
  const row = (kind: 'zstd-stream' | 'zlib-stream', name: string, tuning: ZlibTuning | ZstdTuning) => ({
    tuning: name,
    bytesPerMessage: bytes[name]!['ALL']!,
    vsDiscordZstd: round(bytes[name]!['ALL']! / discordBytes, 3),
    vsDefaultZlib: round(bytes[name]!['ALL']! / zlibBytes, 3),
    usPerMessage1Session: singleSessionUs[name]!,
    kbPerContextAfter5: measureContext({ kind, tuning, contexts: CONTEXTS, messages: FEW_MESSAGES }),
    kbPerContextFullWindow: measureContext({ kind, tuning, contexts: FULL_WINDOW_CONTEXTS, messages: FULL_WINDOW_MESSAGES }),
  });
  return {
    zstd: Object.entries(ZSTD_GRID).map(([name, tuning]) => row('zstd-stream', name, tuning)),
    zlib: Object.entries(ZLIB_GRID).map(([name, tuning]) => row('zlib-stream', name, tuning)),
  };
}

async function main(): Promise<void> {
  const started = Date.now();
  measureBytes(300); // warm the JIT on every code path before anything is timed
  const { bytes, singleSessionUs } = measureBytes(BYTES_MESSAGES);
  log(`bytes on the wire per message (mean over ${BYTES_MESSAGES} messages after ${WARMUP} warm-up)`, bytes);

  const all = (mode: string) => bytes[mode]!['ALL']!;
  const ratios = {
    'zstd discord / zlib default': round(all('json/zstd-stream discord') / all('json/zlib-stream default'), 3),
    'zstd lean / zlib default': round(all('json/zstd-stream lean') / all('json/zlib-stream default'), 3),
    'zstd lean / zstd discord': round(all('json/zstd-stream lean') / all('json/zstd-stream discord'), 3),
    'zlib default / json none': round(all('json/zlib-stream default') / all('json/none'), 3),
  };
  log('ratios on the message-heavy mix (ALL)', ratios);
  const tenGuilds = measureBytes(BYTES_MESSAGES, MODES.filter((m) => m.name.startsWith('json/')), 10).bytes;
  const tenGuildRatios = {
    'zstd discord / zlib default': round(tenGuilds['json/zstd-stream discord']!['ALL']! / tenGuilds['json/zlib-stream default']!['ALL']!, 3),
    'zstd lean / zlib default': round(tenGuilds['json/zstd-stream lean']!['ALL']! / tenGuilds['json/zlib-stream default']!['ALL']!, 3),
    'zstd lean / zstd discord': round(tenGuilds['json/zstd-stream lean']!['ALL']! / tenGuilds['json/zstd-stream discord']!['ALL']!, 3),
  };
  log('same mix for a session in 10 guilds: bytes per message (ALL) and ratios', { ...Object.fromEntries(Object.entries(tenGuilds).map(([m, b]) => [m, b['ALL']])), ...tenGuildRatios });

  const fanOut = measureFanOut(FANOUT_SESSIONS, FANOUT_EVENTS, 1);
  log(`CPU µs per delivery: stamp + compress/join, ${FANOUT_SESSIONS} sessions x ${FANOUT_EVENTS} events, one frame per session turn`, fanOut);
  const fanOutBatched = measureFanOut(FANOUT_SESSIONS, FANOUT_EVENTS, BATCH);
  log(`same, ${BATCH} frames per session turn (a writer flushing what queued in one event-loop turn)`, fanOutBatched);
  log('CPU µs per message, one session (hot cache)', singleSessionUs);
  const encodeOnce = measureEncodeOnce(2000);
  log('CPU µs to encode one event once (shared by all its sessions)', encodeOnce);
  const zlibApis = await measureZlibApis(3000);
  log('zlib-stream, one context: Node stream API vs synchronous native handle (µs per message)', zlibApis);

  const releasedKb = measureContext({ kind: 'zlib-stream', tuning: DEFAULT_ZLIB_TUNING, contexts: CONTEXTS, messages: FEW_MESSAGES, release: true });
  const grid = tuningGrid();
  log('zstd-stream tunings: bytes vs memory (RSS per context) vs CPU', grid.zstd);
  log('zlib-stream tunings', grid.zlib);
  log('zlib-stream context released after 5 messages (quiet session), KB per session', { releasedKb });

  const results = {
    generatedAt: new Date().toISOString(),
    machine: { node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, totalMemGiB: round(os.totalmem() / 2 ** 30, 1) },
    corpus: { seed: SEED, warmup: WARMUP, messages: BYTES_MESSAGES, mix: MESSAGE_HEAVY_MIX },
    bytesPerMessage: bytes,
    ratios,
    tenGuildMix: { bytesPerMessage: tenGuilds, ratios: tenGuildRatios },
    cpuUsPerDeliveryFanOut: { sessions: FANOUT_SESSIONS, events: FANOUT_EVENTS, oneFramePerTurn: fanOut, [`${BATCH}FramesPerTurn`]: fanOutBatched },
    cpuUsPerMessageSingleSession: singleSessionUs,
    cpuUsEncodeOncePerEvent: encodeOnce,
    zlibApiComparison: zlibApis,
    memoryKbPerContext: { contexts: CONTEXTS, fewMessages: FEW_MESSAGES, fullWindowMessages: FULL_WINDOW_MESSAGES, zstd: grid.zstd, zlib: grid.zlib, zlibReleasedAfter5: releasedKb },
    seconds: round((Date.now() - started) / 1000, 1),
  };
  const file = path.resolve(__dirname, '../../../../results/gateway-codec.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`\nwrote ${path.relative(process.cwd(), file)} in ${results.seconds} s\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
