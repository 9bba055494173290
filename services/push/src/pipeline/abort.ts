// Abandonment: when the event log gives up on a record (lost partition, stop, crash) its signal
// aborts; whatever the pipeline still does for that record is wasted, and anything it would
// dead-letter now would be a duplicate once the record is redelivered. Every wait of the pipeline
// (slot, provider, backoff, lookup) ends at once with PushAbandonedError instead.
//
// The signal is shared by every record in flight, so waits register through onAbort (O(1) to add
// and remove) rather than addEventListener (a scan of the signal's listener list each time).
import { onAbort, unlessAborted as abortable } from '@switchboard/runtime';

/** The record's handling was abandoned (its signal aborted); it will be redelivered. */
export class PushAbandonedError extends Error {
  constructor(message = 'push request abandoned: the record will be redelivered') {
    super(message);
    this.name = 'PushAbandonedError';
  }
}

export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new PushAbandonedError();
}

/** Settles like `promise`, or rejects with PushAbandonedError as soon as `signal` aborts. */
export const unlessAborted = <T>(promise: Promise<T>, signal: AbortSignal): Promise<T> =>
  abortable(promise, signal, () => new PushAbandonedError());

export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

/** Waits `ms`; rejects with PushAbandonedError as soon as `signal` aborts. */
export const abortableSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(new PushAbandonedError());
    const timer = setTimeout(() => {
      dispose();
      resolve();
    }, ms);
    const dispose = onAbort(signal, () => {
      clearTimeout(timer);
      reject(new PushAbandonedError());
    });
  });
