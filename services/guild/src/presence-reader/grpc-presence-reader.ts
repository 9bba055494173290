// The PresenceReader over the presence service's GetPresences: batches of at most 10,000 ids
// (the service's limit), sent at once, each with its own deadline, so a read costs one round
// trip however many guilds it serves. GetPresences is NO_SIDE_EFFECTS, so the shared client
// policy retries UNAVAILABLE within that deadline.
import { presenceV1 } from '@switchboard/proto';
import { closeClient, Counter, createClient } from '@switchboard/runtime';
import type { Registry, ServiceClient } from '@switchboard/runtime';
import { presencePayload } from './presence-payload';
import type { PresencePayload } from './presence-payload';
import type { PresenceReader } from './presence-reader';

/** GetPresences answers at most this many ids per call. */
export const PRESENCE_BATCH = 10_000;

export const DEFAULT_PRESENCE_CALL_TIMEOUT_MS = 2_000;

export type PresenceClient = Pick<ServiceClient<typeof presenceV1.PresenceService>, 'getPresences'>;

export interface GrpcPresenceReaderOptions {
  /** Deadline of each GetPresences call. */
  timeoutMs?: number;
  /** Where the calls are counted (guild_presence_reads_total by outcome). */
  registry?: Registry;
  /** A client to use instead of one made for the address (closed by close() only when made here). */
  client?: PresenceClient;
}

export class GrpcPresenceReader implements PresenceReader {
  readonly #client: PresenceClient;
  readonly #owned: boolean;
  readonly #timeoutMs: number;
  readonly #reads: Counter<'outcome'> | undefined;

  constructor(address: string, options: GrpcPresenceReaderOptions = {}) {
    this.#owned = options.client === undefined;
    this.#client = options.client ?? createClient(presenceV1.PresenceService, address);
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_PRESENCE_CALL_TIMEOUT_MS;
    this.#reads = options.registry
      ? new Counter({
          name: 'guild_presence_reads_total',
          help: 'GetPresences calls to the presence service, by outcome (ok, failed).',
          labelNames: ['outcome'],
          registers: [options.registry],
        })
      : undefined;
  }

  async presencesOf(userIds: readonly bigint[], signal?: AbortSignal): Promise<Map<bigint, PresencePayload>> {
    const distinct = [...new Set(userIds)];
    const batches: bigint[][] = [];
    for (let start = 0; start < distinct.length; start += PRESENCE_BATCH) batches.push(distinct.slice(start, start + PRESENCE_BATCH));
    const answers = await Promise.all(batches.map((batch) => this.#read(batch, signal)));
    const presences = new Map<bigint, PresencePayload>();
    for (const answer of answers) {
      for (const presence of answer) {
        const payload = presencePayload(presence);
        if (payload) presences.set(BigInt(presence.userId), payload);
      }
    }
    return presences;
  }

  async #read(batch: bigint[], signal: AbortSignal | undefined): Promise<presenceV1.UserPresence[]> {
    try {
      const response = await this.#client.getPresences({ userIds: batch.map(String) }, { timeoutMs: this.#timeoutMs, signal });
      this.#reads?.inc({ outcome: 'ok' });
      return response.presences;
    } catch (err) {
      this.#reads?.inc({ outcome: 'failed' });
      throw err;
    }
  }

  close(): void {
    if (this.#owned) closeClient(this.#client);
  }
}
