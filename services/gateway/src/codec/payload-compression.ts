// Payload compression (IDENTIFY `compress: true`, JSON only, off when transport compression is
// on): a large dispatch goes out as its own zlib stream (RFC 1950, what discord.js inflates with
// zlib.inflate) in a binary message; a small one goes out as the plain JSON text frame, which
// clients always accept ("not all payloads will be compressed", Discord says). Non-dispatch
// frames (HELLO, HEARTBEAT_ACK, ...) are always small and always plain.
//
// Sequence stamping stays cheap here too. The shared JSON head (`{..."d":<json>,"s":`) is
// deflated ONCE and ended with a sync flush, which always finishes with an empty stored block
// (`00 00 ff ff`: LEN=0, NLEN=~0). Per session, those four bytes are replaced by a LEN/NLEN that
// covers the sequence digits and `}`, which follow uncompressed in that same stored block; then
// comes an empty final block (`03 00`) and the Adler-32 of the whole text, continued from the
// head's precomputed value over the few tail bytes. Nothing is compressed per session.
import * as zlib from 'node:zlib';
import { adler32 } from './adler32';
import { JsonDispatch } from './dispatch-frame';
import type { EncodedDispatch } from './encoding';
import { MIN_CHUNK, SyncZlib } from './sync-zlib';

export interface PayloadCompressionOptions {
  /** Dispatches whose JSON is shorter than this are sent uncompressed. */
  readonly minBytes: number;
  readonly level: number;
}

export const DEFAULT_PAYLOAD_COMPRESSION: PayloadCompressionOptions = { minBytes: 512, level: 6 };

/** CMF 0x78: deflate with a 32 KB window; FLG 0x9c: default level, and CMF·256+FLG ≡ 0 mod 31. */
const ZLIB_HEADER = Buffer.from([0x78, 0x9c]);
/** An empty final block with fixed Huffman codes: BFINAL=1, BTYPE=01, end-of-block. */
const FINAL_EMPTY_BLOCK = Buffer.from([0x03, 0x00]);
const SYNC_MARKER_LENGTH = 4;

/** One per gateway process: its deflate context is reset for every dispatch it compresses. */
export class PayloadCompressor {
  #deflate: SyncZlib | undefined;

  constructor(readonly options: PayloadCompressionOptions = DEFAULT_PAYLOAD_COMPRESSION) {}

  /** The dispatch as sessions with payload compression get it (compressed or passed through). */
  compressDispatch(dispatch: JsonDispatch): EncodedDispatch {
    if (dispatch.head.length < this.options.minBytes) return dispatch;
    const deflate = (this.#deflate ??= new SyncZlib(zlib.createDeflateRaw({ level: this.options.level, chunkSize: MIN_CHUNK })));
    deflate.reset();
    const deflated = deflate.process(dispatch.head, zlib.constants.Z_SYNC_FLUSH);
    const head = Buffer.concat([ZLIB_HEADER, deflated.subarray(0, deflated.length - SYNC_MARKER_LENGTH)]);
    return new CompressedJsonDispatch(dispatch.t, head, adler32(dispatch.head));
  }

  close(): void {
    this.#deflate?.close();
    this.#deflate = undefined;
  }
}

class CompressedJsonDispatch implements EncodedDispatch {
  /** See EncodedDispatch.eventKey (declared here so every instance has one shape). */
  eventKey: string | undefined = undefined;
  readonly binary = true;

  constructor(readonly t: string, readonly head: Buffer, readonly headAdler: number) {}

  /** Inflates one complete frame (only at handoff): nothing uncompressed is kept meanwhile. */
  payloadJson(): string {
    const text = zlib.inflateSync(Buffer.concat(this.forSeq(0) as Buffer[])).toString('utf8');
    return JsonDispatch.payloadJsonOf(this.t, text);
  }

  get sharedBytes(): number {
    return this.head.length;
  }

  forSeq(seq: number): readonly Buffer[] {
    const text = JsonDispatch.tail(seq);
    const tail = Buffer.allocUnsafe(4 + text.length + FINAL_EMPTY_BLOCK.length + 4);
    tail.writeUInt16LE(text.length, 0);
    tail.writeUInt16LE(~text.length & 0xffff, 2);
    let offset = 4 + text.copy(tail, 4);
    offset += FINAL_EMPTY_BLOCK.copy(tail, offset);
    tail.writeUInt32BE(adler32(text, this.headAdler), offset);
    return [this.head, tail];
  }
}
