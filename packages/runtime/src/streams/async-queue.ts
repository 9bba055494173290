// A push-driven AsyncIterable: the bridge between callbacks (events arriving, timers) and the
// AsyncIterable-based streaming handlers and clients of grpc/ (a bidi stream's outgoing side).
// Unbounded by design: callers bound what they push (e.g. the fan-out waits for acks).

export class AsyncQueue<T> implements AsyncIterable<T> {
  #items: T[] = [];
  #head = 0;
  #waiter: ((result: IteratorResult<T>) => void) | undefined;
  #ended = false;
  #error: unknown;
  #failed = false;

  /** Items pushed and not yet taken. */
  get size(): number {
    return this.#items.length - this.#head;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Adds an item; false (and ignored) once the queue has ended. */
  push(item: T): boolean {
    if (this.#ended) return false;
    const waiter = this.#waiter;
    if (waiter) {
      this.#waiter = undefined;
      waiter({ value: item, done: false });
    } else {
      this.#items.push(item);
    }
    return true;
  }

  /** No more items: the iterator finishes after the ones already queued. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#wakeFinished();
  }

  /** Ends the queue with an error, thrown to the consumer after the queued items. */
  fail(error: unknown): void {
    if (this.#ended) return;
    this.#error = error;
    this.#failed = true;
    this.end();
  }

  #wakeFinished(): void {
    const waiter = this.#waiter;
    if (!waiter || this.size > 0) return;
    this.#waiter = undefined;
    if (this.#failed) this.#rejectNext?.(this.#error);
    else waiter({ value: undefined, done: true });
  }

  #rejectNext: ((error: unknown) => void) | undefined;

  #take(): T {
    const item = this.#items[this.#head]!;
    this.#items[this.#head] = undefined as T;
    this.#head += 1;
    // Compact now and then so a long-lived queue does not keep a growing array of holes.
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.size > 0) return Promise.resolve({ value: this.#take(), done: false });
    if (this.#ended) return this.#failed ? Promise.reject(this.#error) : Promise.resolve({ value: undefined, done: true });
    if (this.#waiter) return Promise.reject(new Error('AsyncQueue supports one consumer at a time'));
    return new Promise((resolve, reject) => {
      this.#waiter = resolve;
      this.#rejectNext = (error) => {
        this.#rejectNext = undefined;
        reject(error);
      };
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => this.next(),
      return: async () => {
        this.end();
        this.#items = [];
        this.#head = 0;
        return { value: undefined, done: true };
      },
    };
  }
}
