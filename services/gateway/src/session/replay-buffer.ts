// The dispatches a session may have to replay on RESUME. Sequence numbers are contiguous, so the
// buffer is an array of references to the SHARED encoded dispatches (never per-session copies)
// plus the seq of its first element. Bounded by count and by bytes; and trimmed to what the
// client has not confirmed yet: a heartbeat carries the client's last seq, and a client never
// resumes from before what it has confirmed, so an idle session holds nothing here.
//
// Cross-instance resume re-encodes these for the taker's client, so each item must yield its raw
// (t, d): EncodedDispatch.payloadJson() recovers `d` from what the shared item already holds, at
// handoff time only. JSON: sliced out of the head; payload-compressed JSON: one inflate; ETF: the
// `d` object erlpack packed, kept by reference on the shared EtfDispatch (one per event, never
// per session). So JSON sessions retain nothing extra; while an ETF dispatch sits in any buffer,
// its source object stays alive too (typically 2-4x its packed size, once per event, not
// counted by maxBytes, which counts the shared bytes only).
import type { EncodedDispatch } from '../codec';

export interface ReplayLimits {
  maxEvents: number;
  maxBytes: number;
}

export type ReplayLookup =
  | { kind: 'ok'; dispatches: EncodedDispatch[]; firstSeq: number }
  | { kind: 'too-old' }
  | { kind: 'future' };

export class ReplayBuffer {
  #items: EncodedDispatch[] | undefined;
  /** Seq of `#items[0]`; when empty, the seq the next dispatch will get. */
  #firstSeq = 1;
  #bytes = 0;

  /** `nextSeq`: the seq of the first dispatch pushed (a session taken over from another instance goes on with its numbering). */
  constructor(readonly limits: ReplayLimits, nextSeq = 1) {
    this.#firstSeq = nextSeq;
  }

  get length(): number {
    return this.#items?.length ?? 0;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** The last seq stored (0 before any dispatch). */
  get lastSeq(): number {
    return this.#firstSeq + this.length - 1;
  }

  /** Stores the dispatch sent with `seq` (always lastSeq + 1). Returns false if something was evicted. */
  push(seq: number, dispatch: EncodedDispatch): boolean {
    if (seq !== this.lastSeq + 1) throw new RangeError(`replay buffer expected seq ${this.lastSeq + 1}, got ${seq}`);
    const items = (this.#items ??= []);
    items.push(dispatch);
    this.#bytes += dispatch.sharedBytes;
    let evicted = false;
    while (items.length > this.limits.maxEvents || (this.#bytes > this.limits.maxBytes && items.length > 0)) {
      this.#bytes -= items.shift()!.sharedBytes;
      this.#firstSeq += 1;
      evicted = true;
    }
    return !evicted;
  }

  /** The client confirmed everything up to `seq` (heartbeat `d`): drop it. */
  acknowledge(seq: number): void {
    const items = this.#items;
    if (!items || !Number.isInteger(seq)) return;
    const drop = Math.min(items.length, seq - this.#firstSeq + 1);
    if (drop <= 0) return;
    for (let i = 0; i < drop; i += 1) this.#bytes -= items[i]!.sharedBytes;
    items.splice(0, drop);
    this.#firstSeq += drop;
    if (items.length === 0) this.#items = undefined;
  }

  /** What to replay for a client whose last seen seq is `seq`. */
  after(seq: number): ReplayLookup {
    if (seq > this.lastSeq) return { kind: 'future' };
    // Everything before #firstSeq was either confirmed by the client or evicted: not replayable.
    if (seq < this.#firstSeq - 1) return { kind: 'too-old' };
    const start = seq - this.#firstSeq + 1;
    return { kind: 'ok', dispatches: this.#items?.slice(start) ?? [], firstSeq: seq + 1 };
  }

  clear(): void {
    this.#items = undefined;
    this.#bytes = 0;
  }
}
