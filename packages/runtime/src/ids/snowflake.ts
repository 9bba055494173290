// Snowflake ids as Discord makes them: 64 bits = milliseconds since the Discord epoch (42 bits),
// worker id (5), process id (5), per-process increment (12). They are `bigint` in code and
// decimal strings on the wire; a JS number cannot hold them exactly.

export const DISCORD_EPOCH = 1420070400000n;
const WORKER_BITS = 5n;
const PROCESS_BITS = 5n;
const INCREMENT_BITS = 12n;
const MAX_WORKER = (1n << WORKER_BITS) - 1n;
const MAX_PROCESS = (1n << PROCESS_BITS) - 1n;
const MAX_INCREMENT = (1n << INCREMENT_BITS) - 1n;
const MAX_SNOWFLAKE = (1n << 64n) - 1n;

export class InvalidSnowflakeError extends Error {
  override readonly name = 'InvalidSnowflakeError';
  constructor(readonly value: unknown) {
    super(`not a snowflake: ${JSON.stringify(typeof value === 'bigint' ? value.toString() : value)}`);
  }
}

export interface SnowflakeParts {
  timestamp: number;
  workerId: number;
  processId: number;
  increment: number;
}

export interface SnowflakeGeneratorOptions {
  workerId: number;
  processId: number;
  /** Injectable clock (ms since the Unix epoch) for tests. */
  now?: () => number;
}

export class SnowflakeGenerator {
  readonly #worker: bigint;
  readonly #process: bigint;
  readonly #now: () => number;
  #lastMs = -1n;
  #increment = 0n;

  constructor(options: SnowflakeGeneratorOptions) {
    this.#worker = BigInt(options.workerId);
    this.#process = BigInt(options.processId);
    if (this.#worker < 0n || this.#worker > MAX_WORKER) throw new RangeError(`workerId must be 0..${MAX_WORKER}`);
    if (this.#process < 0n || this.#process > MAX_PROCESS) throw new RangeError(`processId must be 0..${MAX_PROCESS}`);
    this.#now = options.now ?? Date.now;
  }

  /** A new id, strictly greater than every id this generator returned before. */
  next(): bigint {
    let ms = BigInt(this.#now()) - DISCORD_EPOCH;
    // A clock that steps back must not produce a smaller (or repeated) id: keep the last time.
    if (ms < this.#lastMs) ms = this.#lastMs;
    if (ms === this.#lastMs) {
      this.#increment += 1n;
      // 4096 ids in one millisecond: borrow the next millisecond rather than repeat an id.
      if (this.#increment > MAX_INCREMENT) {
        ms += 1n;
        this.#increment = 0n;
      }
    } else {
      this.#increment = 0n;
    }
    this.#lastMs = ms;
    return (ms << 22n) | (this.#worker << 17n) | (this.#process << 12n) | this.#increment;
  }
}

export function deconstructSnowflake(id: bigint): SnowflakeParts {
  return {
    timestamp: Number((id >> 22n) + DISCORD_EPOCH),
    workerId: Number((id >> 17n) & MAX_WORKER),
    processId: Number((id >> 12n) & MAX_PROCESS),
    increment: Number(id & MAX_INCREMENT),
  };
}

/** The smallest snowflake at a time, for range queries ("everything after t"). */
export function snowflakeAt(timestampMs: number): bigint {
  return (BigInt(timestampMs) - DISCORD_EPOCH) << 22n;
}

/** Parses the wire form (a decimal string of an unsigned 64-bit integer). */
export function parseSnowflake(value: unknown): bigint {
  if (typeof value === 'bigint' && value >= 0n && value <= MAX_SNOWFLAKE) return value;
  if (typeof value !== 'string' || !/^\d{1,20}$/.test(value)) throw new InvalidSnowflakeError(value);
  const id = BigInt(value);
  if (id > MAX_SNOWFLAKE) throw new InvalidSnowflakeError(value);
  return id;
}

export function isSnowflake(value: unknown): boolean {
  try {
    parseSnowflake(value);
    return true;
  } catch {
    return false;
  }
}

/** JSON.stringify replacer that writes bigint as strings, the wire form of snowflakes. */
export function bigintReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
