// What the benchmark compares: an encoding, optionally with transport or payload compression and
// a tuning. A mode turns one encoded-once dispatch into one session's bytes on the wire.
import {
  createCompressor,
  DEFAULT_ZLIB_TUNING,
  DISCORD_ZSTD_TUNING,
  encodingFor,
  joinFrame,
  LEAN_ZLIB_TUNING,
  LEAN_ZSTD_TUNING,
  PayloadCompressor,
} from '../../services/gateway/src/codec';
import type { Compressor, EncodedDispatch, EncodingName, JsonDispatch, ZlibTuning, ZstdTuning } from '../../services/gateway/src/codec';

export interface Mode {
  readonly name: string;
  readonly encoding: EncodingName;
  readonly zlib?: ZlibTuning;
  readonly zstd?: ZstdTuning;
  readonly payloadCompression?: boolean;
}

export const MODES: readonly Mode[] = [
  { name: 'json/none', encoding: 'json' },
  { name: 'etf/none', encoding: 'etf' },
  { name: 'json/payload-zlib', encoding: 'json', payloadCompression: true },
  { name: 'json/zlib-stream default', encoding: 'json', zlib: DEFAULT_ZLIB_TUNING },
  { name: 'json/zlib-stream lean', encoding: 'json', zlib: LEAN_ZLIB_TUNING },
  { name: 'json/zstd-stream discord', encoding: 'json', zstd: DISCORD_ZSTD_TUNING },
  { name: 'json/zstd-stream lean', encoding: 'json', zstd: LEAN_ZSTD_TUNING },
  { name: 'etf/zstd-stream lean', encoding: 'etf', zstd: LEAN_ZSTD_TUNING },
];

export interface ModeEvent {
  readonly t: string;
  readonly d: unknown;
}

/** Encodes each event once for the mode, as fan-out does (not per session). */
export function encodeOnce(mode: Mode, events: readonly ModeEvent[], payload = new PayloadCompressor()): EncodedDispatch[] {
  const encoding = encodingFor(mode.encoding);
  return events.map(({ t, d }) => {
    const dispatch = encoding.encodeDispatch(t, d);
    return mode.payloadCompression ? payload.compressDispatch(dispatch as JsonDispatch) : dispatch;
  });
}

/** One session: its compressor (if any) and the bytes it would write for a dispatch. */
export class Session {
  readonly compressor: Compressor | undefined;

  constructor(mode: Mode) {
    if (mode.zlib) this.compressor = createCompressor('zlib-stream', { zlib: mode.zlib, zstd: LEAN_ZSTD_TUNING });
    else if (mode.zstd) this.compressor = createCompressor('zstd-stream', { zlib: DEFAULT_ZLIB_TUNING, zstd: mode.zstd });
  }

  /** Stamp, then compress, or join into the one buffer a socket write would take. */
  send(dispatch: EncodedDispatch, seq: number): Buffer {
    const pieces = dispatch.forSeq(seq);
    return this.compressor ? this.compressor.compress(pieces) : joinFrame(pieces);
  }
}
