// PresencePublisher over gRPC: GuildService.PublishPresences, at most MAX_PER_CALL users a call.
import { guildV1 } from '@switchboard/proto';
import { closeClient, createClient } from '@switchboard/runtime';
import type { ServiceClient } from '@switchboard/runtime';
import { toUserPresence } from '../api';
import type { PresencePublisher, PublishedPresence } from './presence-coalescer';

const MAX_PER_CALL = 10_000;
const CALL_TIMEOUT_MS = 15_000;

export class GuildPresencePublisher implements PresencePublisher {
  readonly #client: ServiceClient<typeof guildV1.GuildService>;

  constructor(address: string) {
    this.#client = createClient(guildV1.GuildService, address);
  }

  async publish(presences: readonly PublishedPresence[]): Promise<void> {
    for (let start = 0; start < presences.length; start += MAX_PER_CALL) {
      const slice = presences.slice(start, start + MAX_PER_CALL);
      // Not idempotent by the proto's word, but publishing a presence twice only repeats it.
      await this.#client.publishPresences(
        { presences: slice.map(({ userId, presence }) => toUserPresence(userId, presence)) },
        { timeoutMs: CALL_TIMEOUT_MS, idempotent: true },
      );
    }
  }

  close(): void {
    closeClient(this.#client);
  }
}
