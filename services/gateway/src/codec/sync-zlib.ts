// Synchronous use of one long-lived node:zlib context. Node offers async streams (a flush
// callback per message, ~7x the CPU for small messages) and one-shot *Sync functions (a new
// context per call: no shared history, and a fresh 256 KB allocation each time); neither fits a
// per-connection stream flushed once per message. The fast-zlib package solves it by calling
// the private `_processChunk` with `close` patched out, because Node's sync path closes the
// context when it is done.
//
// This module goes one level lower and drives the native handle the same way Node's own sync
// path does: `handle.writeSync(flush, in, inOff, inLen, out, outOff, outLen)`, after which
// `_writeState` holds [availOutAfter, availInAfter]. That is the only use of zlib internals in
// the code base; the constructor checks they are still there, so a Node upgrade that changes
// them fails loudly at the first connection (and in this module's tests), not with garbage.
import { types } from 'node:util';
import * as zlib from 'node:zlib';
import { CompressionError } from './errors';
import { outputScratch } from './scratch';

interface NativeZlibHandle {
  writeSync(flush: number, input: Uint8Array, inOff: number, inLen: number, out: Uint8Array, outOff: number, outLen: number): void;
}

interface ZlibInternals {
  _handle?: NativeZlibHandle | null;
  _writeState?: Uint32Array;
}

export type ZlibEngine = zlib.Deflate | zlib.DeflateRaw | zlib.Inflate | zlib.InflateRaw;

const ignoreError = (): void => {
  // Errors surface synchronously through `destroyed`/`errored` in process(); without a listener
  // the 'error' event that destroy() emits on the next tick would crash the process.
};

export class SyncZlib {
  readonly #engine: ZlibEngine;
  readonly #handle: NativeZlibHandle;
  readonly #state: Uint32Array;

  constructor(engine: ZlibEngine) {
    const internals = engine as unknown as ZlibInternals;
    const handle = internals._handle;
    if (!handle || typeof handle.writeSync !== 'function' || !types.isUint32Array(internals._writeState)) {
      throw new CompressionError(`node:zlib internals changed in Node ${process.version}: no _handle.writeSync/_writeState`);
    }
    this.#engine = engine;
    this.#handle = handle;
    this.#state = internals._writeState as Uint32Array;
    engine.on('error', ignoreError);
  }

  /**
   * Feeds all of `input` with `flush` (Z_NO_FLUSH, Z_SYNC_FLUSH, Z_FINISH...) and returns what
   * the engine produced as a new Buffer (empty if nothing). Output goes to the shared scratch
   * buffer first, which grows when an engine fills it.
   */
  process(input: Uint8Array, flush: number): Buffer {
    let out = outputScratch.buffer;
    let used = 0;
    let inOff = 0;
    let inLen = input.length;
    for (;;) {
      this.#handle.writeSync(flush, input, inOff, inLen, out, used, out.length - used);
      if (this.#engine.destroyed) throw new CompressionError('zlib engine failed', { cause: this.#engine.errored });
      const availOut = this.#state[0]!;
      const availIn = this.#state[1]!;
      used = out.length - availOut;
      inOff += inLen - availIn;
      inLen = availIn;
      // Room left in the output means the engine has taken all it will take and flushed. (Only
      // an inflater that reached the end of its stream leaves input behind; callers never end one.)
      if (availOut !== 0) break;
      out = outputScratch.grow(out.length * 2, used);
    }
    return outputScratch.copyOut(used);
  }

  /** Back to a fresh stream (same parameters, memory kept). */
  reset(): void {
    this.#engine.reset();
  }

  /** Frees the native context now rather than at garbage collection. */
  close(): void {
    this.#engine.close();
  }
}

/** Smallest output chunk node:zlib accepts: its own per-stream buffer is then 64 bytes, not 16 KB. */
export const MIN_CHUNK = zlib.constants.Z_MIN_CHUNK;
