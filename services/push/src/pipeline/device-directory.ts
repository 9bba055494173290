// What the pipeline needs from the device registry (services/push/src/registry), kept to two calls
// so the registry's DeviceStore adapts to it in a few lines.
import type { DeviceTarget } from '../providers/provider';

export interface DeviceDirectory {
  /** The devices of each user (a user without devices may be absent from the map). */
  devicesOf(userIds: bigint[]): Promise<Map<bigint, DeviceTarget[]>>;
  /** Forgets a token the provider said is gone; idempotent. */
  removeToken(target: DeviceTarget): Promise<void>;
}

/** The shape of the registry's DeviceStore that directoryOf() adapts (structural: no import). */
export interface TokenStore {
  devicesOf(userIds: bigint[]): Promise<Map<bigint, DeviceTarget[]>>;
  removeToken(platform: DeviceTarget['platform'], appId: string, token: string): Promise<unknown>;
}

/** A DeviceDirectory over the registry's store. */
export function directoryOf(store: TokenStore): DeviceDirectory {
  return {
    devicesOf: (userIds) => store.devicesOf(userIds),
    removeToken: async (target) => void (await store.removeToken(target.platform, target.appId, target.token)),
  };
}

export interface LookupBatcherOptions {
  /** Most user ids in one devicesOf call. Default 500. */
  maxBatch?: number;
}

/**
 * Coalesces the lookups of concurrently handled records into one devicesOf call per event-loop
 * turn (at most maxBatch users each): with many records in flight this is one registry query per
 * batch instead of one per notification. A failed batch fails each of its callers (their records
 * are retried by the log).
 */
export class DeviceLookupBatcher {
  readonly #directory: DeviceDirectory;
  readonly #maxBatch: number;
  #pending = new Map<bigint, { resolve: (d: DeviceTarget[]) => void; reject: (e: unknown) => void }[]>();
  #scheduled = false;

  constructor(directory: DeviceDirectory, options: LookupBatcherOptions = {}) {
    this.#directory = directory;
    this.#maxBatch = options.maxBatch ?? 500;
    if (!Number.isInteger(this.#maxBatch) || this.#maxBatch < 1) throw new RangeError('maxBatch must be a positive integer');
  }

  devicesOf(userId: bigint): Promise<DeviceTarget[]> {
    return new Promise((resolve, reject) => {
      const waiting = this.#pending.get(userId);
      if (waiting) waiting.push({ resolve, reject });
      else this.#pending.set(userId, [{ resolve, reject }]);
      if (this.#pending.size >= this.#maxBatch) this.#flush();
      else if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
    if (this.#pending.size === 0) return;
    const batch = this.#pending;
    this.#pending = new Map();
    Promise.resolve()
      .then(() => this.#directory.devicesOf([...batch.keys()]))
      .then(
        (found) => {
          for (const [userId, waiters] of batch) for (const w of waiters) w.resolve(found.get(userId) ?? []);
        },
        (err: unknown) => {
          for (const waiters of batch.values()) for (const w of waiters) w.reject(err);
        },
      );
  }
}
