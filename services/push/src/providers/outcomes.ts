// Outcomes shared by both provider clients for failures that happen before the provider answers.
import { Http2RequestError } from './http2-pool';
import { QuotaQueueFullError, QuotaWaitAbortedError, type TokenBucket } from './quota';
import type { SendOutcome } from './provider';

/** Waits for a quota slot; returns an outcome only when the send must stop here. */
/**
 * undefined when the quota lets the send go now (no quota, or a share was free: no promise on the
 * hot path); else waitForQuota's promise.
 */
export function quotaWait(quota: TokenBucket | undefined, signal: AbortSignal | undefined): Promise<SendOutcome | undefined> | undefined {
  if (!quota || quota.tryTake()) return undefined;
  return waitForQuota(quota, signal);
}

export async function waitForQuota(quota: TokenBucket | undefined, signal: AbortSignal | undefined): Promise<SendOutcome | undefined> {
  if (!quota) return undefined;
  try {
    await quota.acquire(signal);
    return undefined;
  } catch (error) {
    if (error instanceof QuotaQueueFullError) return { kind: 'retry', reason: error.message, retryAfterMs: error.retryAfterMs };
    if (error instanceof QuotaWaitAbortedError) return { kind: 'retry', reason: error.message };
    throw error;
  }
}

/** No response (timeout, reset, connection lost, aborted, pool saturated): worth retrying; a request HTTP/2 cannot carry is rejected. */
export function transportOutcome(error: unknown): SendOutcome {
  // A request HTTP/2 cannot carry would fail the same way every time: not worth a retry.
  if (error instanceof Http2RequestError && error.kind === 'invalid') return { kind: 'rejected', reason: error.message };
  if (error instanceof Http2RequestError) return { kind: 'retry', reason: `${error.kind}: ${error.message}` };
  return { kind: 'retry', reason: `network: ${error instanceof Error ? error.message : String(error)}` };
}

export function parseJsonObject(body: string): Record<string, unknown> | undefined {
  if (body === '') return undefined;
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
