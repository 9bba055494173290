// Which sessions watch which ranges of one member list, and what each must receive after a
// change. A client applies ops to its copy of the list like an array: INSERT and DELETE shift
// every later item, so a change before a range shifts the range's contents too. Each subscriber
// gets the ops at or before the end of its ranges (Discord's rule), plus an UPDATE for any
// subscribed index whose item the shift brought in from outside its ranges (the client never
// had it). Sessions with the same ranges share one computed op list, encoded once by the caller.
import type { MemberList } from './member-list';
import type { ListRange, MemberListOp } from './member-list-types';

/** Discord's limits for one lazy subscription request. */
export const MAX_RANGES = 5;
export const MAX_RANGE_ITEMS = 100;

export class InvalidRangesError extends Error {
  override readonly name = 'InvalidRangesError';
}

export interface Delivery<S> {
  readonly sessions: readonly S[];
  readonly ops: readonly MemberListOp[];
}

interface RangeSet<S> {
  readonly ranges: readonly ListRange[];
  /** The ranges sorted, with overlapping and adjacent ones merged. */
  readonly segments: readonly ListRange[];
  readonly sessions: Set<S>;
}

export class MemberListSubscriptions<S> {
  readonly #list: MemberList;
  readonly #rangeSets = new Map<string, RangeSet<S>>();
  readonly #keyOfSession = new Map<S, string>();

  constructor(list: MemberList) {
    this.#list = list;
  }

  get sessionCount(): number {
    return this.#keyOfSession.size;
  }

  /** Replaces the session's ranges; returns a SYNC of each range for the session. */
  subscribe(session: S, ranges: readonly ListRange[]): MemberListOp[] {
    validateRanges(ranges);
    this.unsubscribe(session);
    if (ranges.length === 0) return [];
    const key = ranges.map(([a, b]) => `${a}-${b}`).join(',');
    let rangeSet = this.#rangeSets.get(key);
    if (rangeSet === undefined) {
      rangeSet = { ranges: ranges.map(([a, b]) => [a, b] as const), segments: mergeRanges(ranges), sessions: new Set() };
      this.#rangeSets.set(key, rangeSet);
    }
    rangeSet.sessions.add(session);
    this.#keyOfSession.set(session, key);
    return this.#sync(rangeSet.ranges);
  }

  unsubscribe(session: S): void {
    const key = this.#keyOfSession.get(session);
    if (key === undefined) return;
    this.#keyOfSession.delete(session);
    const rangeSet = this.#rangeSets.get(key)!;
    rangeSet.sessions.delete(session);
    if (rangeSet.sessions.size === 0) this.#rangeSets.delete(key);
  }

  rangesOf(session: S): readonly ListRange[] {
    const key = this.#keyOfSession.get(session);
    return key === undefined ? [] : this.#rangeSets.get(key)!.ranges;
  }

  /**
   * The ops each session must receive for one change of the list, given the change's ops (as
   * returned by the list, already applied to it). Sessions the change does not touch are left out.
   */
  route(ops: readonly MemberListOp[]): Delivery<S>[] {
    if (ops.length === 0) return [];
    const invalidated = ops.some((op) => op.op === 'INVALIDATE');
    const deliveries: Delivery<S>[] = [];
    for (const rangeSet of this.#rangeSets.values()) {
      const forRanges = invalidated ? this.#sync(rangeSet.ranges) : this.#opsFor(rangeSet.segments, ops);
      if (forRanges.length > 0) deliveries.push({ sessions: [...rangeSet.sessions], ops: forRanges });
    }
    return deliveries;
  }

  #sync(ranges: readonly ListRange[]): MemberListOp[] {
    return ranges.map((range) => ({ op: 'SYNC', range, items: this.#list.items(range[0], range[1]) }));
  }

  // Follows, per segment, which indexes hold an item the client was sent (`known`), through the
  // shifts of the forwarded ops; ends with an UPDATE for each subscribed index it cannot know.
  #opsFor(segments: readonly ListRange[], ops: readonly MemberListOp[]): MemberListOp[] {
    const lastIndex = segments[segments.length - 1]![1];
    // Most changes land below most ranges (a big list, clients at the top): skip them cheaply.
    if (ops.every((op) => 'index' in op && op.index > lastIndex)) return [];
    const known = segments.map(([a, b]) => new Array<boolean>(b - a + 1).fill(true));
    const out: MemberListOp[] = [];
    for (const op of ops) {
      if (op.op === 'SYNC' || op.op === 'INVALIDATE') throw new Error(`a change cannot carry ${op.op}`);
      if (op.index > lastIndex) continue;
      if (op.op === 'UPDATE') {
        const at = segmentOf(segments, op.index);
        if (at < 0) continue;
        known[at]![op.index - segments[at]![0]] = true;
      } else {
        segments.forEach(([a, b], i) => shiftKnown(known[i]!, op.op === 'INSERT', op.index, a, b));
      }
      out.push(op);
    }
    if (out.length === 0) return out;
    const length = this.#list.length;
    segments.forEach(([a, b], i) => {
      for (let index = a; index <= Math.min(b, length - 1); index++) {
        if (!known[i]![index - a]) out.push({ op: 'UPDATE', index, item: this.#list.itemAt(index)! });
      }
    });
    return out;
  }
}

// An INSERT or DELETE at `index` as the client applies it to segment [a, b] of its copy.
function shiftKnown(known: boolean[], insert: boolean, index: number, a: number, b: number): void {
  if (index > b) return;
  if (insert) {
    // Before the segment, the item pushed in at `a` comes from a - 1, outside every segment.
    if (index < a) known.unshift(false);
    else known.splice(index - a, 0, true);
    known.pop();
  } else {
    // The item pulled in at `b` comes from b + 1, outside every segment (adjacent ones merged).
    known.splice(Math.max(index - a, 0), 1);
    known.push(false);
  }
}

function segmentOf(segments: readonly ListRange[], index: number): number {
  return segments.findIndex(([a, b]) => index >= a && index <= b);
}

function mergeRanges(ranges: readonly ListRange[]): ListRange[] {
  const sorted = [...ranges].sort((x, y) => x[0] - y[0]);
  const merged: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = merged[merged.length - 1];
    if (last !== undefined && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else merged.push([a, b]);
  }
  return merged;
}

function validateRanges(ranges: readonly ListRange[]): void {
  if (ranges.length > MAX_RANGES) throw new InvalidRangesError(`at most ${MAX_RANGES} ranges, got ${ranges.length}`);
  for (const [a, b] of ranges) {
    if (!Number.isInteger(a) || !Number.isInteger(b) || a < 0 || b < a) throw new InvalidRangesError(`invalid range [${a}, ${b}]`);
    if (b - a + 1 > MAX_RANGE_ITEMS) throw new InvalidRangesError(`range [${a}, ${b}] holds more than ${MAX_RANGE_ITEMS} items`);
  }
}
