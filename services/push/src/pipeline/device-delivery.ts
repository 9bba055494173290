// One device's share of a request: send through its platform's provider (holding an in-flight
// slot only while the send is on the wire), then act on the outcome — delivered; unregistered →
// remove the token; rejected → dead-letter; retry → wait per the retry policy and send again, up
// to its max attempts, then dead-letter; a retry due later than deferAfterMs is deferred to the
// retry topic (deferred-retries.ts) when the caller allows it. Resolves when the device is settled; rejects only with
// PushAbandonedError (the record's signal aborted: nothing more is done, nothing dead-lettered).
import { performance } from 'node:perf_hooks';
import type { Logger } from '@switchboard/runtime';
import type { DeviceTarget, Platform, PushProvider, RenderedNotification, SendOutcome } from '../providers/provider';
import { throwIfAborted } from './abort';
import type { Sleep } from './abort';
import type { DeviceFailure } from './dead-letters';
import type { DeviceDirectory } from './device-directory';
import type { InFlightLimiter } from './in-flight-limiter';
import type { PushMetrics } from './push-metrics';
import { reasonLabel } from './push-metrics';
import type { RetryPolicy } from './retry-policy';
import type { DeferredRetry } from './deferred-retries';
import type { TokenRemovalGuard } from './token-removal-guard';

export type DeviceResult = 'delivered' | 'removed' | 'dead-lettered' | 'deferred';

export interface DeviceDeliveryDeps {
  provider(platform: Platform): PushProvider | undefined;
  limiter: InFlightLimiter;
  retry: RetryPolicy;
  metrics: PushMetrics;
  directory: Pick<DeviceDirectory, 'removeToken'>;
  logger: Pick<Logger, 'warn' | 'error'>;
  sleep: Sleep;
  /** Keeps an app's tokens when most of its answers say "dead" (a misconfigured app, not dead devices). */
  tokenGuard: TokenRemovalGuard;
  /** Retries due later than this go to the retry topic (when the record can defer) instead of being waited for. */
  deferAfterMs: number;
  now: () => number;
}

/** Hands a device's later retry to the retry topic (resolves once it is durable). */
export type Defer = (retry: DeferredRetry) => Promise<void>;

export async function deliverToDevice(
  deps: DeviceDeliveryDeps,
  target: DeviceTarget,
  notification: RenderedNotification,
  deadLetter: (failure: DeviceFailure) => Promise<void>,
  signal: AbortSignal,
  retrying?: { firstAttempt: number; defer?: Defer | undefined },
): Promise<DeviceResult> {
  const provider = deps.provider(target.platform);
  if (!provider) {
    return giveUp(deps, deadLetter, { target, reason: 'no-provider', detail: `no provider for platform "${target.platform}"`, attempts: 0 });
  }
  for (let attempt = retrying?.firstAttempt ?? 1; ; attempt += 1) {
    const outcome = await sendOnce(deps, provider, target, notification, signal);
    switch (outcome.kind) {
      case 'delivered':
        deps.tokenGuard.record(appKey(target), false);
        deps.metrics.provider(target.platform).delivered.inc();
        return 'delivered';
      case 'unregistered':
        if (!deps.tokenGuard.record(appKey(target), true)) {
          deps.logger.error({ platform: target.platform, appId: target.appId, reason: outcome.reason }, 'most of this app\'s tokens are answered as dead: keeping them (check the app\'s configuration)');
          return giveUp(deps, deadLetter, { target, reason: 'token-removal-suspended', detail: outcome.reason, attempts: attempt, status: outcome.status });
        }
        await removeToken(deps, target, outcome.reason);
        return 'removed';
      case 'rejected':
        return giveUp(deps, deadLetter, { target, reason: 'rejected', detail: outcome.reason, attempts: attempt, status: outcome.status });
      case 'retry': {
        const decision = deps.retry.next(attempt, outcome.retryAfterMs);
        if (decision.kind === 'give-up') {
          const detail = `${decision.detail}; last: ${outcome.reason}`;
          return giveUp(deps, deadLetter, { target, reason: decision.reason, detail, attempts: attempt, status: outcome.status });
        }
        deps.metrics.retried.inc({ provider: target.platform, reason: reasonLabel(outcome.reason) });
        if (retrying?.defer && decision.delayMs > deps.deferAfterMs) {
          await retrying.defer({ target, attempt: attempt + 1, notBefore: deps.now() + decision.delayMs });
          deps.metrics.deferred.inc({ provider: target.platform });
          return 'deferred';
        }
        await deps.sleep(decision.delayMs, signal);
        break;
      }
    }
  }
}

async function sendOnce(
  deps: DeviceDeliveryDeps,
  provider: PushProvider,
  target: DeviceTarget,
  notification: RenderedNotification,
  signal: AbortSignal,
): Promise<SendOutcome> {
  const release = (!signal.aborted && deps.limiter.tryAcquire()) || (await deps.limiter.acquire(signal));
  const started = performance.now();
  const series = deps.metrics.provider(target.platform);
  let outcome: SendOutcome;
  try {
    series.sent.inc();
    outcome = await provider.send(target, notification, signal);
  } catch (err) {
    // The seam says send never throws; if a client does anyway, treat it as transient.
    outcome = { kind: 'retry', reason: `provider threw: ${err instanceof Error ? err.message : String(err)}` };
  } finally {
    release();
  }
  series.latency[outcome.kind].observe((performance.now() - started) / 1000);
  throwIfAborted(signal);
  return outcome;
}

const appKey = (target: DeviceTarget): string => `${target.platform}/${target.appId}`;

async function removeToken(deps: DeviceDeliveryDeps, target: DeviceTarget, reason: string): Promise<void> {
  try {
    await deps.directory.removeToken(target);
    deps.metrics.tokensRemoved.inc({ provider: target.platform, reason: reasonLabel(reason) });
  } catch (err) {
    // Not worth failing the record (and resending to the user's other devices): the provider
    // says the same again at the token's next notification, and it is removed then.
    deps.metrics.tokenRemovalFailures.inc({ provider: target.platform });
    deps.logger.warn({ err, platform: target.platform, appId: target.appId }, 'removing a dead device token failed');
  }
}

async function giveUp(
  deps: DeviceDeliveryDeps,
  deadLetter: (failure: DeviceFailure) => Promise<void>,
  failure: DeviceFailure,
): Promise<DeviceResult> {
  await deadLetter(failure);
  deps.metrics.deadLettered.inc({ provider: failure.target.platform, reason: failure.reason });
  return 'dead-lettered';
}
