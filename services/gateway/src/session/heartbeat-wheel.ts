// One timer for every session's deadline (heartbeat due, resume window over): a hashed timing
// wheel. A per-session setTimeout would cost a Timeout object (~150 B) per session plus a timer
// list insert on every heartbeat; here a reschedule is two Set operations on a slot, and a single
// interval ticks once per `tickMs`. Deadlines fire up to two ticks late (the interval's phase is
// not aligned to tick boundaries), which is fine for
// liveness checks measured in tens of seconds.

/** A wheel entry stores its own slot, so the wheel needs no map from entry to slot. */
export interface WheelEntry {
  wheelSlot: number;
  wheelDeadline: number;
  onWheelDeadline(now: number): void;
}

export interface HeartbeatWheelOptions {
  /** Resolution; deadlines fire at most two ticks after they pass. */
  tickMs?: number;
  /** Longest delay scheduled; longer ones still work (entries wait extra rounds). */
  horizonMs?: number;
  now?: () => number;
}

const UNSCHEDULED = -1;

export class HeartbeatWheel {
  readonly #tickMs: number;
  readonly #slots: Set<WheelEntry>[];
  readonly #now: () => number;
  #cursorTick: number;
  #size = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: HeartbeatWheelOptions = {}) {
    this.#tickMs = options.tickMs ?? 1000;
    this.#now = options.now ?? (() => Date.now());
    const slotCount = Math.ceil((options.horizonMs ?? 300_000) / this.#tickMs) + 2;
    this.#slots = Array.from({ length: slotCount }, () => new Set<WheelEntry>());
    this.#cursorTick = Math.floor(this.#now() / this.#tickMs);
  }

  get size(): number {
    return this.#size;
  }

  /** Puts (or moves) `entry` so that it fires at `deadline` (epoch ms). O(1). */
  schedule(entry: WheelEntry, deadline: number): void {
    this.cancel(entry);
    const tick = Math.max(Math.ceil(deadline / this.#tickMs), this.#cursorTick + 1);
    const slot = tick % this.#slots.length;
    entry.wheelSlot = slot;
    entry.wheelDeadline = deadline;
    this.#slots[slot]!.add(entry);
    this.#size += 1;
    this.#timer ??= this.#startTimer();
  }

  cancel(entry: WheelEntry): void {
    if (entry.wheelSlot === UNSCHEDULED || entry.wheelSlot === undefined) return;
    if (this.#slots[entry.wheelSlot]?.delete(entry)) this.#size -= 1;
    entry.wheelSlot = UNSCHEDULED;
    if (this.#size === 0) this.#stopTimer();
  }

  /** Advances to now, firing every entry whose deadline has passed. Called by the timer. */
  advance(): void {
    const now = this.#now();
    const target = Math.floor(now / this.#tickMs);
    // After a long stall, one lap covers every slot; entries not yet due stay where they are.
    const from = Math.max(this.#cursorTick + 1, target - this.#slots.length + 1);
    for (let tick = from; tick <= target; tick += 1) this.#fireSlot(tick % this.#slots.length, now);
    this.#cursorTick = Math.max(this.#cursorTick, target);
  }

  stop(): void {
    for (const slot of this.#slots) {
      for (const entry of slot) entry.wheelSlot = UNSCHEDULED;
      slot.clear();
    }
    this.#size = 0;
    this.#stopTimer();
  }

  #fireSlot(slot: number, now: number): void {
    const entries = this.#slots[slot]!;
    if (entries.size === 0) return;
    for (const entry of entries) {
      if (entry.wheelDeadline > now) continue; // a later lap
      entries.delete(entry);
      this.#size -= 1;
      entry.wheelSlot = UNSCHEDULED;
      entry.onWheelDeadline(now);
    }
    if (this.#size === 0) this.#stopTimer();
  }

  #startTimer(): NodeJS.Timeout {
    this.#cursorTick = Math.max(this.#cursorTick, Math.floor(this.#now() / this.#tickMs));
    const timer = setInterval(() => this.advance(), this.#tickMs);
    timer.unref();
    return timer;
  }

  #stopTimer(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

export const WHEEL_UNSCHEDULED = UNSCHEDULED;
