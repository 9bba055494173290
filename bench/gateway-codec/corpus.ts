// The benchmark's input: a fixed, seeded stream of events from the message-heavy mix.
import { MessageMix } from './message-mix';
import type { MixEvent } from './message-mix';

export const SEED = 20_240_501;
/** Messages compressed before measuring bytes, so contexts hold history as on a live session. */
export const WARMUP = 200;

/** `guilds`: how many guilds the session is in (1: one busy community; more: less local redundancy). */
export function corpus(count: number, guilds = 1, seed = SEED): MixEvent[] {
  return new MessageMix(seed, guilds).take(count);
}
