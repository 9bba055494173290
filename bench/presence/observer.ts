// One observing session in the large guild: identifies with GUILDS | GUILD_PRESENCES over a real
// socket and records every PRESENCE_UPDATE frame it gets: how many, and when each member's final
// presence (recognised by its activity name, which no earlier change carries) first arrived.
import { performance } from 'node:perf_hooks';
import { TestGatewayClient } from '../../services/gateway/src/transport/test-client';

interface PresenceUpdate {
  user: { id: string };
  status: string;
  activities: { name: string }[];
}

export class Observer {
  readonly client: TestGatewayClient;
  /** PRESENCE_UPDATE frames since the last reset. */
  frames = 0;
  /** performance.now() at which each member's expected final presence arrived. */
  readonly finalAt = new Map<string, number>();
  /** Member id → the activity name of its final presence; frames for these members are matched. */
  expected = new Map<string, string>();
  /** performance.now() of the last PRESENCE_UPDATE frame. */
  lastFrameAt = performance.now();
  #waiting: (() => void) | undefined;

  private constructor(client: TestGatewayClient) {
    this.client = client;
  }

  static async identify(port: number, token: string, intents: number): Promise<Observer> {
    const client = await TestGatewayClient.connect(port);
    await client.next((p) => p.op === 10);
    client.send({ op: 2, d: { token, intents, properties: { os: 'linux', browser: 'bench', device: 'bench' } } });
    await client.dispatch('GUILD_CREATE', 60_000);
    client.received.length = 0;
    const observer = new Observer(client);
    // Registered after the client's own listener, which has decoded and queued the frame by now:
    // the arrival time is taken in the same turn the socket delivered it.
    client.ws.on('message', () => observer.#take());
    return observer;
  }

  /** Forgets what was counted and expects these final presences next. */
  reset(expected: Map<string, string>): void {
    this.frames = 0;
    this.finalAt.clear();
    this.expected = expected;
  }

  get settled(): boolean {
    return this.finalAt.size >= this.expected.size;
  }

  /**
   * Resolves once every expected final presence arrived; rejects when no PRESENCE_UPDATE frame
   * came for stallMs (the rest is not coming), or after timeoutMs in all.
   */
  async settle(stallMs: number, timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    this.lastFrameAt = performance.now();
    while (!this.settled) {
      const left = Math.min(deadline, this.lastFrameAt + stallMs) - performance.now();
      if (left <= 0) throw new Error(`observer saw ${this.finalAt.size} of ${this.expected.size} final presences (${this.frames} frames; no frame for ${stallMs} ms or ${timeoutMs} ms in all)`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 500));
        this.#waiting = () => { clearTimeout(timer); resolve(); };
      });
    }
  }

  #take(): void {
    const now = performance.now();
    for (const payload of this.client.received.splice(0)) {
      if (payload.t !== 'PRESENCE_UPDATE') continue;
      this.frames += 1;
      this.lastFrameAt = now;
      const d = payload.d as PresenceUpdate;
      const final = this.expected.get(d.user.id);
      if (final !== undefined && !this.finalAt.has(d.user.id) && d.activities[0]?.name === final) this.finalAt.set(d.user.id, now);
    }
    if (this.settled && this.#waiting) {
      const wake = this.#waiting;
      this.#waiting = undefined;
      wake();
    }
  }
}
