// A reader bound after the guild service started: in `make dev` the guild and presence services
// call each other, so one of them starts before the other's (OS-picked) address is known. Until
// bound, everyone reads as offline.
import { NO_PRESENCES } from './presence-reader';
import type { PresenceReader } from './presence-reader';
import type { PresencePayload } from './presence-payload';

export class LatePresenceReader implements PresenceReader {
  #reader: PresenceReader = NO_PRESENCES;

  bind(reader: PresenceReader): void {
    this.#reader = reader;
  }

  presencesOf(userIds: readonly bigint[], signal?: AbortSignal): Promise<Map<bigint, PresencePayload>> {
    return this.#reader.presencesOf(userIds, signal);
  }
}
