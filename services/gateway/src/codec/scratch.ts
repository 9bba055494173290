// Process-wide scratch buffers for the synchronous codecs. Sharing one buffer between every
// connection is safe because each use is synchronous and copies its result out before returning;
// it saves a per-connection output buffer (node:zlib keeps 16 KB per stream by default), which at
// 10k sessions is 160 MB of mostly idle memory.

/** Above this, a grown scratch buffer is dropped after use rather than kept for the process. */
const RETAIN_LIMIT = 1024 * 1024;

export class Scratch {
  #buffer: Buffer;

  constructor(readonly initialSize: number) {
    this.#buffer = Buffer.allocUnsafe(initialSize);
  }

  get buffer(): Buffer {
    return this.#buffer;
  }

  /** A buffer of at least `size` bytes whose first `keep` bytes are the current ones. */
  grow(size: number, keep = 0): Buffer {
    if (size <= this.#buffer.length) return this.#buffer;
    const grown = Buffer.allocUnsafe(Math.max(size, this.#buffer.length * 2));
    this.#buffer.copy(grown, 0, 0, keep);
    this.#buffer = grown;
    return grown;
  }

  /** Called after a use: one huge message must not pin megabytes for the life of the process. */
  trim(): void {
    if (this.#buffer.length > RETAIN_LIMIT) this.#buffer = Buffer.allocUnsafe(this.initialSize);
  }

  /** The first `length` bytes as a new, exactly sized Buffer (small ones come from Node's pool). */
  copyOut(length: number): Buffer {
    const result = Buffer.allocUnsafe(length);
    this.#buffer.copy(result, 0, 0, length);
    this.trim();
    return result;
  }

  /** The pieces laid end to end in the scratch buffer; a view, valid until the next use. */
  join(pieces: readonly Buffer[]): Buffer {
    if (pieces.length === 1) return pieces[0]!;
    let length = 0;
    for (const piece of pieces) length += piece.length;
    const target = this.grow(length);
    let offset = 0;
    for (const piece of pieces) offset += piece.copy(target, offset);
    return target.subarray(0, length);
  }
}

/** Input side: a message's pieces joined for one native call. */
export const inputScratch = new Scratch(64 * 1024);
/** Output side: whatever an engine produces for one message, before it is copied out. */
export const outputScratch = new Scratch(64 * 1024);
