// The instance-wide bound on provider sends in flight. A send waits for a slot (FIFO), so when
// the providers are slow the handlers wait, records stay unsettled, and the log's bounded
// in-flight consumption stops fetching: backpressure from the providers to Kafka, no queue grows.
import { Slots } from '@switchboard/runtime';
import { PushAbandonedError } from './abort';

export type ReleaseSlot = () => void;

export class InFlightLimiter {
  readonly #slots: Slots;
  readonly #onChange: ((inUse: number) => void) | undefined;

  constructor(limit: number, onChange?: (inUse: number) => void) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('the in-flight limit must be a positive integer');
    this.#slots = new Slots(limit);
    this.#onChange = onChange;
  }

  get limit(): number {
    return this.#slots.max;
  }

  get inUse(): number {
    return this.#slots.inUse;
  }

  get waiting(): number {
    return this.#slots.waiting;
  }

  /** A slot's release function if a slot is free now (no promise: the common case), else undefined. */
  tryAcquire(): ReleaseSlot | undefined {
    return this.#slots.tryAcquire() ? this.#granted() : undefined;
  }

  /** Resolves with a release function once a slot is free; rejects (PushAbandonedError) on abort. */
  async acquire(signal: AbortSignal): Promise<ReleaseSlot> {
    if (signal.aborted) throw new PushAbandonedError();
    if (!this.#slots.tryAcquire() && !(await this.#slots.acquire(signal))) throw new PushAbandonedError();
    return this.#granted();
  }

  #granted(): ReleaseSlot {
    this.#onChange?.(this.#slots.inUse);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#slots.release();
      this.#onChange?.(this.#slots.inUse);
    };
  }
}
