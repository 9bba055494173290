// A Map keyed by snowflake, split into 64 Maps by the id's low bits. A JS Map rehashes its whole
// table when it fills up with live and deleted entries; at 1M members that is a pause of tens of
// milliseconds inside one member join. Sixty-four small tables pause 1/64 as long, each in turn.
const SHARD_BITS = 6n;
const SHARD_MASK = (1n << SHARD_BITS) - 1n;

export class ShardedMap<V> {
  readonly #shards: Map<bigint, V>[] = Array.from({ length: Number(1n << SHARD_BITS) }, () => new Map<bigint, V>());
  #size = 0;

  get size(): number {
    return this.#size;
  }

  get(key: bigint): V | undefined {
    return this.#shardOf(key).get(key);
  }

  set(key: bigint, value: V): void {
    const shard = this.#shardOf(key);
    const before = shard.size;
    shard.set(key, value);
    this.#size += shard.size - before;
  }

  delete(key: bigint): boolean {
    const deleted = this.#shardOf(key).delete(key);
    if (deleted) this.#size--;
    return deleted;
  }

  *values(): IterableIterator<V> {
    for (const shard of this.#shards) yield* shard.values();
  }

  #shardOf(key: bigint): Map<bigint, V> {
    // The low bits of a snowflake are its per-process sequence: evenly spread.
    return this.#shards[Number(key & SHARD_MASK)]!;
  }
}
