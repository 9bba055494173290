// Pipelined consumption of one partition (SubscribeOptions.inFlightPerPartition > 1), shared by
// both implementations: records are started in offset order without waiting for earlier ones to
// finish, and the partition's commit position moves only over the longest run of settled records
// at the front. A slow record therefore holds back the commit of every later one; after a crash
// those later records are delivered again (at-least-once), but nothing unsettled is ever committed.
//
// The bound counts every started record that is not yet committable, settled ones waiting behind
// a slow record included: so a stuck record stalls its partition after `capacity` records instead
// of letting an ever longer uncommitted tail pile up, and a crash redelivers at most `capacity`
// records per partition.
import type { SubscribeOptions } from './event-log';
import { onAbort } from '../streams/abort-registry';
import { Slots } from '../streams/abortable';

export interface PipelineSettings {
  /** Started, not yet committable records per partition (SubscribeOptions.inFlightPerPartition). */
  perPartition: number;
  /** Shared by every partition of one subscription (SubscribeOptions.maxInFlight). */
  limit?: Slots;
}

function positiveInteger(name: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  return value;
}

/**
 * The pipelining a subscription asked for, or undefined for the default: one record per
 * partition at a time, committed as soon as it settles.
 */
export function pipelineSettings(options: SubscribeOptions): PipelineSettings | undefined {
  const perPartition = positiveInteger('inFlightPerPartition', options.inFlightPerPartition);
  const maxInFlight = positiveInteger('maxInFlight', options.maxInFlight);
  if (perPartition === undefined && maxInFlight === undefined) return undefined;
  return { perPartition: perPartition ?? 1, limit: maxInFlight === undefined ? undefined : new Slots(maxInFlight) };
}

/** Resolves on the next call of `notify`, or when `signal` aborts. */
class Changes {
  private readonly waiters = new Set<() => void>();

  next(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        this.waiters.delete(wake);
        dispose?.();
        resolve();
      };
      this.waiters.add(wake);
      const dispose = signal ? onAbort(signal, wake) : undefined;
    });
  }

  notify(): void {
    if (this.waiters.size === 0) return;
    for (const wake of [...this.waiters]) wake();
  }
}

/** Records in flight across the partitions of one subscription (the runtime's FIFO semaphore). */
export { Slots as InFlightLimit };

interface Started {
  offset: string;
  settled: boolean;
}

/**
 * The records of one partition that were started and are not yet committable, in offset order.
 * One loop per partition calls reserve(); any number of deliveries call finish().
 */
export class PartitionPipeline {
  private readonly window: Started[] = [];
  private readonly byOffset = new Map<string, Started>();
  private running = 0;
  private readonly changes = new Changes();

  constructor(readonly capacity: number, private readonly limit?: Slots) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
  }

  /** Started records not yet committable (settled ones behind an unsettled one included). */
  get size(): number {
    return this.window.length;
  }

  /** Started records whose delivery has not ended yet. */
  get inFlight(): number {
    return this.running;
  }

  /**
   * Waits for room (in this partition's window, then in the shared limit) and starts the record
   * at `offset`, which must follow every offset started before. False, with nothing started, if
   * `signal` aborts first.
   */
  async reserve(offset: string, signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return false;
    if (this.tryReserve(offset)) return true;
    while (this.window.length >= this.capacity && !signal.aborted) await this.changes.next(signal);
    if (signal.aborted) return false;
    if (this.limit && !(await this.limit.acquire(signal))) return false;
    this.begin(offset);
    return true;
  }

  /** Starts the record at `offset` if there is room right now, without waiting (the common case). */
  tryReserve(offset: string): boolean {
    if (this.window.length >= this.capacity || (this.limit && !this.limit.tryAcquire())) return false;
    this.begin(offset);
    return true;
  }

  private begin(offset: string): void {
    const started: Started = { offset, settled: false };
    this.window.push(started);
    this.byOffset.set(offset, started);
    this.running += 1;
  }

  /**
   * The delivery of `offset` ended: settled (handled or dead-lettered) or not (abandoned, failed;
   * it then stays in the window for good and nothing after it becomes committable). Returns the
   * last offset of the settled prefix if that prefix grew, else undefined.
   */
  finish(offset: string, settled: boolean): string | undefined {
    const started = this.byOffset.get(offset);
    if (!started) throw new Error(`offset ${offset} was not started or already finished`);
    this.byOffset.delete(offset);
    this.running -= 1;
    this.limit?.release();
    started.settled = settled;
    let through: string | undefined;
    while (this.window[0]?.settled) through = this.window.shift()!.offset;
    this.changes.notify();
    return through;
  }

  /** Resolves once no started record is running any more (every delivery ended). */
  async idle(): Promise<void> {
    while (this.running > 0) await this.changes.next();
  }
}
