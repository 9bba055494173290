// Coalescing: every frame queued for a socket during one event-loop turn goes out in one corked
// write at the end of the turn. One scheduler per process: a turn that touches 10k connections
// costs one setImmediate, not 10k, and no closure is allocated per frame or per connection.

export interface Flushable {
  flush(): void;
}

export class FlushScheduler {
  #dirty: Flushable[] = [];
  #scheduled = false;
  readonly #run = (): void => this.flushAll();

  /** Marks `target` for a flush at the end of this turn (the caller makes sure it is marked once). */
  mark(target: Flushable): void {
    this.#dirty.push(target);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#run);
    }
  }

  flushAll(): void {
    this.#scheduled = false;
    const dirty = this.#dirty;
    this.#dirty = [];
    for (const target of dirty) target.flush();
  }
}

export const defaultFlushScheduler = new FlushScheduler();
