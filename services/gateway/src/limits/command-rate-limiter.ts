// The per-connection command budget: `limit` (120) client frames per `windowMs` (60 s); over it the
// caller closes with 4008. Two numbers per connection, no timestamps kept, no timers.
//
// Windows follow @discordjs/ws's own bookkeeping: a window starts at the first command after the
// previous one ended (not on a fixed grid), so a client that counts the same way lands in the same
// windows, shifted only by network latency. Heartbeats count, like every frame (and like
// @discordjs/ws counts them inside its self-imposed 115), but a heartbeat alone never closes the
// connection until `heartbeatGrace` frames past the limit: a client that keeps to 115 is never
// killed for beating, while a flood of heartbeats still is.
import { GatewayOpcode } from '../protocol';

export interface CommandRateLimitPolicy {
  limit: number;
  windowMs: number;
  heartbeatGrace: number;
}

export const DISCORD_COMMAND_POLICY: Readonly<CommandRateLimitPolicy> = Object.freeze({ limit: 120, windowMs: 60_000, heartbeatGrace: 5 });

export type CommandVerdict = 'allowed' | 'exceeded';

export class CommandRateLimiter {
  #windowStart = Number.NEGATIVE_INFINITY;
  #count = 0;

  constructor(private readonly policy: Readonly<CommandRateLimitPolicy> = DISCORD_COMMAND_POLICY) {}

  /** Counts one frame with opcode `op` received at `now` (ms). */
  check(now: number, op?: number): CommandVerdict {
    if (now - this.#windowStart >= this.policy.windowMs) {
      this.#windowStart = now;
      this.#count = 0;
    }
    this.#count += 1;
    if (this.#count <= this.policy.limit) return 'allowed';
    const heartbeat = op === GatewayOpcode.HEARTBEAT;
    return heartbeat && this.#count <= this.policy.limit + this.policy.heartbeatGrace ? 'allowed' : 'exceeded';
  }

  /** The session port's form: true = allowed, false = close 4008. */
  hit(now: number, op?: number): boolean {
    return this.check(now, op) === 'allowed';
  }

  /** Frames counted in the current window. */
  get count(): number {
    return this.#count;
  }
}

/** One limiter per connection, all sharing one policy object. */
export function commandRateLimiterFactory(policy: Readonly<CommandRateLimitPolicy> = DISCORD_COMMAND_POLICY): () => CommandRateLimiter {
  const shared = Object.freeze({ ...policy });
  return () => new CommandRateLimiter(shared);
}
