// The gateway's side of the fan-out: one FanoutStream per guild instance (the set follows
// GuildInstances), every interest change forwarded to each, and sync(): wait until every
// connected guild instance has applied the interest changes made so far (READY, late GUILD_CREATE).
import { performance } from 'node:perf_hooks';
import { guildV1 } from '@switchboard/proto';
import { closeClient, createClient } from '@switchboard/runtime';
import { DEFAULT_BACKOFF, FanoutStream } from './fanout-stream';
import type { BackoffPolicy, FanoutRequestInit, GuildClient, LinkLogger, SyncOutcome } from './fanout-stream';
import type { InterestTracker } from './interest-tracker';
import type { GuildLinkMetrics } from './metrics';

export interface FanoutLinkOptions {
  instanceId: string;
  tracker: InterestTracker;
  onEvent: (event: guildV1.FanoutEvent, stream: FanoutStream, call: number) => void;
  /** Member-list subscriptions every (re)connecting stream re-sends after its interest snapshot. */
  listSnapshot?: () => FanoutRequestInit[];
  /** Told synchronously as any stream receives an InterestApplied. */
  onInterestApplied?: () => void;
  logger: LinkLogger;
  metrics?: GuildLinkMetrics | undefined;
  syncTimeoutMs: number;
  backoff?: BackoffPolicy;
  /** The client of one guild instance (tests inject one); default createClient(GuildService, address). */
  clientFor?: (address: string) => GuildClient;
}

export class FanoutLink {
  readonly #options: FanoutLinkOptions;
  readonly #streams = new Map<string, { stream: FanoutStream; client: GuildClient }>();
  #syncId = 0n;
  #closed = false;

  constructor(options: FanoutLinkOptions) {
    this.#options = options;
    options.tracker.onChange((delta) => {
      options.metrics?.interestPairs.set(options.tracker.size);
      for (const { stream } of this.#streams.values()) stream.sendDelta(delta);
    });
  }

  /** The guild instances streamed from. */
  get addresses(): string[] {
    return [...this.#streams.keys()];
  }

  stream(address: string): FanoutStream | undefined {
    return this.#streams.get(address)?.stream;
  }

  /**
   * Sends one request on every stream (a member-list subscription: only the owner of the guild's
   * partition answers it, and ownership may move, so every guild instance keeps it).
   */
  broadcast(message: FanoutRequestInit): void {
    for (const { stream } of this.#streams.values()) stream.send(message);
  }

  /** Opens streams to new addresses and closes those no longer listed. */
  setTargets(addresses: readonly string[]): void {
    if (this.#closed) return;
    const wanted = new Set(addresses);
    for (const [address, entry] of this.#streams) {
      if (wanted.has(address)) continue;
      this.#streams.delete(address);
      this.#options.logger.info({ guildInstance: address }, 'guild instance gone: closing its fanout stream');
      void entry.stream.close().finally(() => closeClient(entry.client));
    }
    for (const address of wanted) {
      if (this.#streams.has(address)) continue;
      const client = (this.#options.clientFor ?? ((target) => createClient(guildV1.GuildService, target)))(address);
      const stream = new FanoutStream({
        address,
        client,
        instanceId: this.#options.instanceId,
        tracker: this.#options.tracker,
        nextSyncId: () => (this.#syncId += 1n),
        onEvent: this.#options.onEvent,
        onInterestApplied: this.#options.onInterestApplied,
        listSnapshot: this.#options.listSnapshot,
        logger: this.#options.logger,
        metrics: this.#options.metrics,
        backoff: this.#options.backoff ?? DEFAULT_BACKOFF,
      });
      this.#streams.set(address, { stream, client });
      stream.start();
    }
  }

  /**
   * Resolves once every stream with a live call applied the interest changes made so far (or
   * ended, or did not answer within the sync timeout: logged, READY goes on regardless).
   */
  async sync(): Promise<void> {
    const { tracker, syncTimeoutMs, metrics, logger } = this.#options;
    tracker.flush();
    const started = performance.now();
    const entries = [...this.#streams.values()];
    const outcomes = await Promise.all(entries.map(({ stream }) => stream.sync(syncTimeoutMs)));
    metrics?.syncLatency.observe((performance.now() - started) / 1000);
    outcomes.forEach((outcome: SyncOutcome, index) => {
      if (outcome === 'applied' || outcome === 'not-connected') return;
      if (outcome === 'timeout') metrics?.syncTimeouts.inc();
      logger.warn({ guildInstance: entries[index]!.stream.address, outcome }, 'interest sync not confirmed by a guild instance');
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    const entries = [...this.#streams.values()];
    this.#streams.clear();
    await Promise.all(entries.map(async ({ stream, client }) => {
      await stream.close();
      closeClient(client);
    }));
  }
}
