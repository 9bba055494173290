// zstd-stream: one zstd frame per connection that never ends; each message is compressed with
// ZSTD_e_flush, so it can be decoded at once yet still refers back to everything sent before.
// Uses zstd-napi's thin binding (CCtx.compressStream2) rather than its Node stream wrapper, so
// a message is compressed synchronously with no stream machinery and no per-connection buffers.
import { CCtx, CParameter, EndDirective } from 'zstd-napi/binding';
import type { Compressor, ZstdTuning } from './compression';
import { CompressionError } from './errors';
import { inputScratch, outputScratch } from './scratch';

const NOTHING = Buffer.alloc(0);

/** A compression context with the tuning applied; zstd allocates its tables on first use. */
export function createZstdContext(tuning: ZstdTuning): CCtx {
  const cctx = new CCtx();
  cctx.setParameter(CParameter.compressionLevel, tuning.level);
  cctx.setParameter(CParameter.windowLog, tuning.windowLog);
  cctx.setParameter(CParameter.hashLog, tuning.hashLog);
  cctx.setParameter(CParameter.chainLog, tuning.chainLog);
  if (tuning.searchLog !== undefined) cctx.setParameter(CParameter.searchLog, tuning.searchLog);
  if (tuning.minMatch !== undefined) cctx.setParameter(CParameter.minMatch, tuning.minMatch);
  // No checksum: it is written only when a frame ends, and this frame never does.
  cctx.setParameter(CParameter.checksumFlag, 0);
  return cctx;
}

export class ZstdStreamCompressor implements Compressor {
  readonly name = 'zstd-stream' as const;
  #cctx: CCtx | undefined;
  #closed = false;

  constructor(readonly tuning: ZstdTuning) {}

  get allocated(): boolean {
    return this.#cctx !== undefined;
  }

  compress(message: Buffer | readonly Buffer[]): Buffer {
    if (this.#closed) throw new CompressionError('zstd-stream compressor is closed');
    const cctx = (this.#cctx ??= createZstdContext(this.tuning));
    const input = Buffer.isBuffer(message) ? message : inputScratch.join(message);
    try {
      return flushMessage(cctx, input);
    } catch (error) {
      throw new CompressionError('zstd compression failed', { cause: error });
    } finally {
      inputScratch.trim();
    }
  }

  close(): void {
    // zstd-napi frees the native context in the wrapper's finalizer; dropping it is all we can do.
    this.#cctx = undefined;
    this.#closed = true;
  }
}

/**
 * ZSTD_compressStream2(flush) until the input is consumed and nothing is left to flush. The
 * output lands in the shared scratch buffer, which grows if one message needs more.
 */
function flushMessage(cctx: CCtx, input: Buffer): Buffer {
  let out = outputScratch.buffer;
  let used = 0;
  let consumed = 0;
  for (;;) {
    const source = consumed === 0 ? input : consumed < input.length ? input.subarray(consumed) : NOTHING;
    const [remaining, produced, taken] = cctx.compressStream2(out.subarray(used), source, EndDirective.flush);
    used += produced;
    consumed += taken;
    if (remaining === 0 && consumed === input.length) break;
    if (out.length - used < 1024) out = outputScratch.grow(out.length * 2, used);
  }
  return outputScratch.copyOut(used);
}
