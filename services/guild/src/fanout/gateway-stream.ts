// One connected gateway's Fanout stream, as the guild instance sees it: the outgoing queue, the
// highest offset it acknowledged per partition, and the owner's waits on those acknowledgements.
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { guildV1 } from '@switchboard/proto';
import { AsyncQueue } from '@switchboard/runtime';

export type FanoutMessageInit = MessageInitShape<typeof guildV1.FanoutMessageSchema>;

/** How a wait for an acknowledgement ended. */
export type AckOutcome = 'acked' | 'gone' | 'timeout' | 'aborted';

interface AckWaiter {
  offset: bigint;
  settle: (outcome: AckOutcome) => void;
}

let nextStreamId = 1;

export class GatewayStream {
  /** Process-unique, for logs. */
  readonly id = nextStreamId++;
  readonly outgoing = new AsyncQueue<FanoutMessageInit>();
  #gatewayInstanceId = '';
  readonly #acked = new Map<number, bigint>();
  readonly #waiters = new Map<number, AckWaiter[]>();
  readonly #onClose: (stream: GatewayStream) => void;
  #closed = false;
  #endedCleanly = false;
  #established = false;

  constructor(readonly peer: string, onClose: (stream: GatewayStream) => void) {
    this.#onClose = onClose;
  }

  get gatewayInstanceId(): string {
    return this.#gatewayInstanceId;
  }

  /** Whether hello was received (interests and acks are accepted only after it). */
  get greeted(): boolean {
    return this.#gatewayInstanceId !== '';
  }

  get closed(): boolean {
    return this.#closed;
  }

  greet(gatewayInstanceId: string): void {
    this.#gatewayInstanceId = gatewayInstanceId;
  }

  /**
   * Whether a sync was answered on it: the gateway sends its whole interest snapshot and then a
   * sync right after hello, so from here on every event of its scopes reaches it.
   */
  get established(): boolean {
    return this.#established && !this.#closed;
  }

  markEstablished(): void {
    this.#established = true;
  }

  /** Closed without an error (the gateway ended it: a drain), rather than cut (a failure, an ack timeout). */
  get endedCleanly(): boolean {
    return this.#endedCleanly;
  }

  /** Queues a message for the gateway; false once the stream is closed. */
  send(message: FanoutMessageInit): boolean {
    return !this.#closed && this.outgoing.push(message);
  }

  /** Acks are cumulative: everything of `partition` up to `offset` was applied. */
  recordAck(partition: number, offset: bigint): void {
    const previous = this.#acked.get(partition);
    if (previous !== undefined && previous >= offset) return;
    this.#acked.set(partition, offset);
    const waiters = this.#waiters.get(partition);
    if (!waiters) return;
    // settle() removes each waiter from the list, so iterate over a copy.
    for (const waiter of waiters.filter((w) => w.offset <= offset)) waiter.settle('acked');
  }

  ackedOffset(partition: number): bigint | undefined {
    return this.#acked.get(partition);
  }

  /** Resolves once the gateway acked `offset` of `partition`, the stream closed, time ran out or `signal` aborted. */
  waitForAck(partition: number, offset: bigint, timeoutMs: number, signal?: AbortSignal): Promise<AckOutcome> {
    if ((this.#acked.get(partition) ?? -1n) >= offset) return Promise.resolve('acked');
    if (this.#closed) return Promise.resolve('gone');
    if (signal?.aborted) return Promise.resolve('aborted');
    return new Promise<AckOutcome>((resolve) => {
      const waiter: AckWaiter = {
        offset,
        settle: (outcome) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          this.#dropWaiter(partition, waiter);
          resolve(outcome);
        },
      };
      const timer = setTimeout(() => waiter.settle('timeout'), timeoutMs);
      const onAbort = (): void => waiter.settle('aborted');
      signal?.addEventListener('abort', onAbort, { once: true });
      const list = this.#waiters.get(partition);
      if (list) list.push(waiter);
      else this.#waiters.set(partition, [waiter]);
    });
  }

  /**
   * Ends the stream (with `error` as its gRPC status, else OK) exactly once: pending ack waits
   * resolve as "gone" and the close callback drops the stream's interests.
   */
  close(error?: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#endedCleanly = error === undefined;
    if (error === undefined) this.outgoing.end();
    else this.outgoing.fail(error);
    const waiters = [...this.#waiters.values()].flat();
    this.#waiters.clear();
    for (const waiter of waiters) waiter.settle('gone');
    this.#onClose(this);
  }

  #dropWaiter(partition: number, waiter: AckWaiter): void {
    const list = this.#waiters.get(partition);
    if (!list) return;
    const at = list.indexOf(waiter);
    if (at >= 0) list.splice(at, 1);
    if (list.length === 0) this.#waiters.delete(partition);
  }
}
