// Dispatch frames whose sequence number is stamped without re-serialising anything.
//
// Fan-out encodes an event once per (encoding, visible shape); each session then needs the same
// bytes with its own `s`. Both encodings put `s` LAST, so a frame is exactly two pieces:
//
//   JSON: {"t":"MESSAGE_CREATE","op":0,"d":<json>,"s":   +   123}
//   ETF:  131 MAP(4) "t"=>"MESSAGE_CREATE" "op"=>0 "d"=><term>   +   "s"=><integer>
//
// Clients do not care about key order: discord.js reads `payload.op/.t/.s` off JSON.parse's
// object, and an ETF map's pairs may come in any order. The shared head is built once and never
// written to again; the tail is a few bytes from Node's small-buffer pool.
import type { EncodedDispatch } from './encoding';
import { ETF, etfBinary, etfIntegerLength, etfMapHeader, writeEtfInteger } from './etf-terms';

function assertSeq(seq: number): void {
  if (!Number.isSafeInteger(seq) || seq < 0) throw new RangeError(`sequence must be a non-negative safe integer, got ${seq}`);
}

const JSON_SEQ_KEY = ',"s":';

/** A JSON dispatch: `json` is the already-serialised `d`. */
export class JsonDispatch implements EncodedDispatch {
  /** See EncodedDispatch.eventKey (declared here so every instance has one shape). */
  eventKey: string | undefined = undefined;
  readonly binary = false;
  /** `{"t":...,"op":0,"d":<json>,"s":` as UTF-8. Shared by every session; never mutated. */
  readonly head: Buffer;

  constructor(readonly t: string, json: string) {
    this.head = Buffer.from(`{"t":${JSON.stringify(t)},"op":0,"d":${json},"s":`, 'utf8');
  }

  /** The `d` slice of the shared head: no extra memory is kept for handoffs. */
  payloadJson(): string {
    return JsonDispatch.payloadJsonOf(this.t, this.head.toString('utf8'));
  }

  /** The `d` of a frame text `{"t":<t>,"op":0,"d":<d>,"s":<digits>...` (or of a head). */
  static payloadJsonOf(t: string, text: string): string {
    const start = `{"t":${JSON.stringify(t)},"op":0,"d":`.length;
    return text.slice(start, text.lastIndexOf(JSON_SEQ_KEY));
  }

  get sharedBytes(): number {
    return this.head.length;
  }

  forSeq(seq: number): readonly Buffer[] {
    return [this.head, JsonDispatch.tail(seq)];
  }

  /** `123}`: the sequence digits and the closing brace. */
  static tail(seq: number): Buffer {
    assertSeq(seq);
    return Buffer.from(`${seq}}`, 'latin1');
  }
}

const KEY_T = etfBinary('t');
const KEY_OP = etfBinary('op');
const KEY_D = etfBinary('d');
const KEY_S = etfBinary('s');
const OP_DISPATCH = Buffer.from([ETF.SMALL_INTEGER_EXT, 0]);

/** An ETF dispatch: `packedD` is erlpack's output for `d` (with or without its version byte). */
export class EtfDispatch implements EncodedDispatch {
  /** See EncodedDispatch.eventKey (declared here so every instance has one shape). */
  eventKey: string | undefined = undefined;
  readonly binary = true;
  /** Version, map header (arity 4) and the `t`, `op` and `d` pairs. Shared; never mutated. */
  readonly head: Buffer;

  /**
   * `source` is the payload object erlpack packed, kept by reference (the same object every shape
   * of the event was encoded from, never a copy) so a handoff can turn it into JSON; ETF terms
   * do not round-trip to JSON exactly (binaries vs strings), the source does.
   */
  constructor(readonly t: string, packedD: Buffer, readonly source: unknown = null) {
    const term = packedD[0] === ETF.VERSION ? packedD.subarray(1) : packedD;
    this.head = Buffer.concat([
      Buffer.from([ETF.VERSION]), etfMapHeader(4),
      KEY_T, etfBinary(t),
      KEY_OP, OP_DISPATCH,
      KEY_D, term,
    ]);
  }

  get sharedBytes(): number {
    return this.head.length;
  }

  forSeq(seq: number): readonly Buffer[] {
    return [this.head, EtfDispatch.tail(seq)];
  }

  payloadJson(): string {
    return JSON.stringify(this.source ?? null);
  }

  /** The `"s" => seq` pair: binary key, then the integer term written by hand. */
  static tail(seq: number): Buffer {
    assertSeq(seq);
    const tail = Buffer.allocUnsafe(KEY_S.length + etfIntegerLength(seq));
    KEY_S.copy(tail, 0);
    writeEtfInteger(tail, KEY_S.length, seq);
    return tail;
  }
}
