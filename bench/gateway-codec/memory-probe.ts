// Child process for one memory measurement: N compressors, each fed M messages, RSS before and
// after (with GC), printed as JSON. A fresh process per measurement keeps heaps comparable.
import { createCompressor, DEFAULT_ZLIB_TUNING, encodingFor, isReleasable, LEAN_ZSTD_TUNING } from '../../services/gateway/src/codec';
import type { Compressor, ZlibTuning, ZstdTuning } from '../../services/gateway/src/codec';
import { corpus } from './corpus';

export interface ProbeRequest {
  readonly kind: 'zlib-stream' | 'zstd-stream';
  readonly tuning: ZlibTuning | ZstdTuning;
  readonly contexts: number;
  readonly messages: number;
  /** zlib-stream only: release each context after its messages, as for a quiet session. */
  readonly release?: boolean;
}

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error('run with --expose-gc');
  collect();
  collect();
}

function probe(request: ProbeRequest): { kbPerContext: number } {
  const json = encodingFor('json');
  const frames = corpus(500).map(({ t, d }) => json.encodeDispatch(t, d));
  const keep: Compressor[] = [];
  gc();
  const before = process.memoryUsage().rss;
  for (let i = 0; i < request.contexts; i++) {
    const tuning = request.kind === 'zlib-stream'
      ? { zlib: request.tuning as ZlibTuning, zstd: LEAN_ZSTD_TUNING }
      : { zlib: DEFAULT_ZLIB_TUNING, zstd: request.tuning as ZstdTuning };
    const compressor = createCompressor(request.kind, tuning);
    for (let m = 0; m < request.messages; m++) compressor.compress(frames[(i * 7 + m) % frames.length]!.forSeq(m + 1));
    if (request.release && isReleasable(compressor)) compressor.release();
    keep.push(compressor);
  }
  gc();
  const after = process.memoryUsage().rss;
  if (keep.length !== request.contexts) throw new Error('unreachable');
  return { kbPerContext: Math.round(((after - before) / request.contexts / 1024) * 10) / 10 };
}

if (require.main === module) {
  const request = JSON.parse(process.argv[2] ?? '{}') as ProbeRequest;
  process.stdout.write(`${JSON.stringify(probe(request))}\n`);
}
