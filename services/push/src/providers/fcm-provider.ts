// FCM HTTP v1 client: POST {baseUrl}/v1/projects/{project}/messages:send over persistent HTTP/2
// sessions, authorised by a service-account OAuth2 token, answers classified into SendOutcome.
import { CredentialsError, ServiceAccountTokenSource, TokenEndpointError, type ServiceAccount } from './fcm-auth';
import { buildFcmMessage, classifyFcmResponse } from './fcm-message';
import { poolFor, type Http2Response, type Http2SessionPool, type PoolChoice } from './http2-pool';
import { quotaWait, transportOutcome } from './outcomes';
import type { DeviceTarget, PushProvider, RenderedNotification, SendOutcome } from './provider';
import type { TokenBucket } from './quota';

export const FCM_DEFAULT_BASE_URL = 'https://fcm.googleapis.com';

/** baseUrl defaults to https://fcm.googleapis.com (the tests point it at the fake); `pool` is one shared with other FCM apps. */
export interface FcmProviderOptions extends PoolChoice {
  projectId: string;
  serviceAccount: ServiceAccount;
  /** The project's local quota; none → no local rate limit. */
  quota?: TokenBucket;
  /** Wall clock for the OAuth2 token lifetime (tests step it). */
  now?: () => number;
  credentialFailureHoldMs?: number;
}

export class FcmProvider implements PushProvider {
  readonly platform = 'fcm' as const;
  readonly tokens: ServiceAccountTokenSource;
  private readonly pool: Http2SessionPool;
  private readonly ownsPool: boolean;
  private readonly path: string;
  private readonly quota: TokenBucket | undefined;

  constructor(options: FcmProviderOptions) {
    if (!/^[a-z0-9-]+$/i.test(options.projectId)) throw new Error(`projectId must be a Firebase project id, got ${JSON.stringify(options.projectId)}`);
    this.path = `/v1/projects/${options.projectId}/messages:send`;
    this.tokens = new ServiceAccountTokenSource(options.serviceAccount, {
      now: options.now,
      requestTimeoutMs: options.requestTimeoutMs,
      connectOptions: options.connectOptions,
      credentialFailureHoldMs: options.credentialFailureHoldMs,
    });
    ({ pool: this.pool, owned: this.ownsPool } = poolFor(options, FCM_DEFAULT_BASE_URL));
    this.quota = options.quota;
  }

  async send(target: DeviceTarget, notification: RenderedNotification, signal?: AbortSignal): Promise<SendOutcome> {
    if (target.platform !== 'fcm') return { kind: 'rejected', reason: `an ${target.platform} device cannot be sent through FCM` };
    const waiting = quotaWait(this.quota, signal);
    if (waiting) {
      const stop = await waiting;
      if (stop) return stop;
    }
    const body = JSON.stringify(buildFcmMessage(target, notification));
    const first = await this.attempt(body, signal);
    // A 401 means the cached token was revoked or expired early: fetch a new one and try once more.
    if (first.response?.status === 401) {
      this.tokens.invalidate(first.token);
      return (await this.attempt(body, signal)).outcome;
    }
    return first.outcome;
  }

  async close(): Promise<void> {
    await Promise.all([this.tokens.close(), this.ownsPool ? this.pool.close() : Promise.resolve()]);
  }

  private async attempt(body: string, signal: AbortSignal | undefined): Promise<{ outcome: SendOutcome; token: string; response?: Http2Response }> {
    let token: string;
    try {
      token = this.tokens.current() ?? (await this.tokens.token());
    } catch (error) {
      return { outcome: tokenFailureOutcome(error), token: '' };
    }
    const started = performance.now();
    let response: Http2Response;
    try {
      response = await this.pool.request({
        path: this.path,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json; charset=utf-8' },
        body,
        signal,
      });
    } catch (error) {
      return { outcome: transportOutcome(error), token };
    }
    return { outcome: classifyFcmResponse(response, performance.now() - started), token, response };
  }
}

function tokenFailureOutcome(error: unknown): SendOutcome {
  if (error instanceof CredentialsError) return { kind: 'rejected', reason: `credentials: ${error.message}`, status: error.status };
  if (error instanceof TokenEndpointError) {
    const outcome: SendOutcome = { kind: 'retry', reason: error.message };
    if (error.status !== undefined) outcome.status = error.status;
    if (error.retryAfterMs !== undefined) outcome.retryAfterMs = error.retryAfterMs;
    return outcome;
  }
  return { kind: 'retry', reason: `access token: ${error instanceof Error ? error.message : String(error)}` };
}
