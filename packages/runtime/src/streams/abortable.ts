// Waits that end when a signal aborts, for code whose waits share long-lived signals (a
// subscription's abandon signal, a pipeline's stop signal): registered through onAbort, O(1) each.
import { onAbort } from './abort-registry';

/** Settles like `promise`, or rejects with `aborted()` as soon as `signal` aborts. */
export function unlessAborted<T>(promise: Promise<T>, signal: AbortSignal, aborted: () => Error): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(aborted());
  }
  return new Promise<T>((resolve, reject) => {
    const dispose = onAbort(signal, () => reject(aborted()));
    promise.then(
      (value) => {
        dispose();
        resolve(value);
      },
      (err: unknown) => {
        dispose();
        reject(err);
      },
    );
  });
}

/**
 * A counting semaphore handing slots out first come, first served: a released slot goes straight
 * to the longest waiter. acquire() resolves false (and takes nothing) if `signal` aborts first.
 */
export class Slots {
  #used = 0;
  /** The grants of the waiting acquirers, longest waiter first. */
  readonly #queue: Array<() => void> = [];

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError('the number of slots must be a positive integer');
  }

  get inUse(): number {
    return this.#used;
  }

  get waiting(): number {
    return this.#queue.length;
  }

  /** Takes a free slot if there is one (and nobody waits for it). */
  tryAcquire(): boolean {
    if (this.#used >= this.max || this.#queue.length > 0) return false;
    this.#used += 1;
    return true;
  }

  acquire(signal: AbortSignal): Promise<boolean> {
    if (this.tryAcquire()) return Promise.resolve(true);
    if (signal.aborted) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const grant = () => {
        dispose();
        resolve(true);
      };
      const dispose = onAbort(signal, () => {
        const at = this.#queue.indexOf(grant);
        if (at >= 0) this.#queue.splice(at, 1);
        resolve(false);
      });
      this.#queue.push(grant);
    });
  }

  release(): void {
    const next = this.#queue.shift();
    if (next) next();
    else this.#used -= 1;
  }
}
