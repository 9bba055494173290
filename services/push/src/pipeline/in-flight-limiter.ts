// The instance-wide bound on provider sends in flight. A send waits for a slot (FIFO), so when
// the providers are slow the handlers wait, records stay unsettled, and the log's bounded
// in-flight consumption stops fetching: backpressure from the providers to Kafka, no queue grows.
import { onAbort } from '@switchboard/runtime';
import { PushAbandonedError } from './abort';

export type ReleaseSlot = () => void;

interface Waiter {
  grant: (release: ReleaseSlot) => void;
  /** Forgets the abort callback (the signal is shared by every waiting send). */
  dispose: () => void;
}

export class InFlightLimiter {
  readonly limit: number;
  #inUse = 0;
  readonly #waiters: Waiter[] = [];
  readonly #onChange: ((inUse: number) => void) | undefined;

  constructor(limit: number, onChange?: (inUse: number) => void) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('the in-flight limit must be a positive integer');
    this.limit = limit;
    this.#onChange = onChange;
  }

  get inUse(): number {
    return this.#inUse;
  }

  get waiting(): number {
    return this.#waiters.length;
  }

  /** Resolves with a release function once a slot is free; rejects (PushAbandonedError) on abort. */
  acquire(signal: AbortSignal): Promise<ReleaseSlot> {
    if (signal.aborted) return Promise.reject(new PushAbandonedError());
    if (this.#inUse < this.limit && this.#waiters.length === 0) return Promise.resolve(this.#take());
    return new Promise<ReleaseSlot>((resolve, reject) => {
      const waiter: Waiter = {
        grant: resolve,
        dispose: onAbort(signal, () => {
          const at = this.#waiters.indexOf(waiter);
          if (at >= 0) this.#waiters.splice(at, 1);
          reject(new PushAbandonedError());
        }),
      };
      this.#waiters.push(waiter);
    });
  }

  #take(): ReleaseSlot {
    this.#inUse += 1;
    this.#onChange?.(this.#inUse);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#inUse -= 1;
      this.#grantNext();
      this.#onChange?.(this.#inUse);
    };
  }

  #grantNext(): void {
    while (this.#inUse < this.limit) {
      const waiter = this.#waiters.shift();
      if (!waiter) return;
      waiter.dispose();
      waiter.grant(this.#take());
    }
  }
}
