// 120 commands per 60 s per connection with two numbers of state; heartbeats count but get a small
// grace; a client pacing itself like @discordjs/ws (≤ 115 per window it starts lazily) is never cut.
import { GatewayOpcode } from '../protocol';
import { CommandRateLimiter, commandRateLimiterFactory } from './command-rate-limiter';

const HEARTBEAT = GatewayOpcode.HEARTBEAT;
const PRESENCE = GatewayOpcode.PRESENCE_UPDATE;

describe('CommandRateLimiter', () => {
  it('allows 120 commands in a window and refuses the 121st', () => {
    const limiter = new CommandRateLimiter();
    for (let i = 0; i < 120; i += 1) expect(limiter.check(1_000 + i, PRESENCE)).toBe('allowed');
    expect(limiter.check(2_000, PRESENCE)).toBe('exceeded');
    expect(limiter.hit(2_001, PRESENCE)).toBe(false);
  });

  it('starts a new window at the first command after the previous one ended', () => {
    const limiter = new CommandRateLimiter();
    for (let i = 0; i < 120; i += 1) limiter.check(0, PRESENCE);
    expect(limiter.check(59_999, PRESENCE)).toBe('exceeded');
    expect(limiter.check(90_000, PRESENCE)).toBe('allowed'); // window [90000, 150000)
    for (let i = 0; i < 119; i += 1) limiter.check(149_000, PRESENCE);
    expect(limiter.check(149_999, PRESENCE)).toBe('exceeded');
    expect(limiter.check(150_000, PRESENCE)).toBe('allowed');
  });

  it('counts heartbeats but gives them a grace past the limit', () => {
    const limiter = new CommandRateLimiter({ limit: 120, windowMs: 60_000, heartbeatGrace: 5 });
    for (let i = 0; i < 120; i += 1) limiter.check(0, PRESENCE);
    for (let i = 0; i < 5; i += 1) expect(limiter.check(1, HEARTBEAT)).toBe('allowed');
    expect(limiter.check(2, HEARTBEAT)).toBe('exceeded');
    const other = new CommandRateLimiter();
    for (let i = 0; i < 120; i += 1) other.check(0, HEARTBEAT);
    expect(other.check(1, PRESENCE)).toBe('exceeded'); // heartbeats filled the budget
  });

  it('never cuts a client that sends at most 115 per window of its own, started lazily, even with latency jitter', () => {
    const limiter = new CommandRateLimiter();
    let clientWindowEnd = -1;
    let sentInWindow = 0;
    let t = 0;
    let rng = 7;
    const random = (): number => ((rng = (rng * 48271) % 2147483647) / 2147483647);
    for (let i = 0; i < 20_000; i += 1) {
      t += Math.floor(random() * 800);
      if (t >= clientWindowEnd) {
        clientWindowEnd = t + 60_000;
        sentInWindow = 0;
      }
      if (sentInWindow + 1 >= 115) {
        t = clientWindowEnd + Math.floor(random() * 1_500); // @discordjs/ws sleeps to reset + jitter
        continue;
      }
      sentInWindow += 1;
      const latency = 20 + Math.floor(random() * 5); // arrival, with ±jitter
      expect(limiter.check(t + latency, i % 10 === 0 ? HEARTBEAT : PRESENCE)).toBe('allowed');
    }
  });

  it('factory hands each connection its own counter', () => {
    const make = commandRateLimiterFactory({ limit: 2, windowMs: 1_000, heartbeatGrace: 0 });
    const a = make();
    const b = make();
    expect([a.hit(0), a.hit(0), a.hit(0)]).toEqual([true, true, false]);
    expect(b.hit(0)).toBe(true);
  });
});
