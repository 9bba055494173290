// OAuth2 access tokens for FCM HTTP v1 from a service account (RFC 7523 JWT bearer grant): an
// RS256 assertion signed with the account's private key is exchanged at token_uri for an access
// token, which is cached and refreshed before it expires (at the later of 80 % of its lifetime and
// 5 minutes before expiry) by one request at a time, while sends keep using the still-valid token.
import { createPrivateKey, type KeyObject } from 'node:crypto';
import type { ConnectionOptions } from 'node:tls';
import { Http2RequestError, Http2SessionPool } from './http2-pool';
import { signJwt } from './jwt';
import { parseJsonObject } from './outcomes';
import { parseRetryAfter } from './retry-after';

export const FCM_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const ASSERTION_LIFETIME_S = 3600;
/** A token this close to expiry is not used any more (clock skew, time in flight). */
const EXPIRY_SKEW_MS = 10_000;
const REFRESH_MARGIN_MS = 5 * 60_000;
/** After a failed background refresh, wait this long before trying again from a send. */
const BACKGROUND_RETRY_MS = 1_000;

export interface ServiceAccount {
  client_email: string;
  private_key: string;
  token_uri: string;
}

/** The token endpoint refused the credentials (4xx): retrying will not help. */
export class CredentialsError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'CredentialsError';
  }
}

/** The token endpoint could not be reached or failed (5xx, 429, network): try again later. */
export class TokenEndpointError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'TokenEndpointError';
  }
}

export interface AccessTokenSourceOptions {
  /** Wall-clock milliseconds (JWT iat/exp); injectable for tests. */
  now?: () => number;
  requestTimeoutMs?: number;
  /** After the endpoint refuses the credentials, sends fail fast for this long (default 10 s). */
  credentialFailureHoldMs?: number;
  connectOptions?: ConnectionOptions;
}

interface CachedToken {
  token: string;
  refreshAt: number;
  expiresAt: number;
}

export class ServiceAccountTokenSource {
  private readonly key: KeyObject;
  private readonly tokenUrl: URL;
  private readonly pool: Http2SessionPool;
  private readonly now: () => number;
  private readonly holdMs: number;
  private cached: CachedToken | undefined;
  private inflight: Promise<string> | undefined;
  private refusal: { error: CredentialsError; until: number } | undefined;
  private backgroundNotBefore = 0;
  /** Token requests sent to token_uri (for tests and metrics). */
  requests = 0;

  constructor(
    private readonly account: ServiceAccount,
    options: AccessTokenSourceOptions = {},
  ) {
    this.key = createPrivateKey(account.private_key);
    this.tokenUrl = new URL(account.token_uri);
    this.now = options.now ?? Date.now;
    this.holdMs = options.credentialFailureHoldMs ?? 10_000;
    this.pool = new Http2SessionPool({
      origin: this.tokenUrl.origin,
      maxSessions: 1,
      maxStreamsPerSession: 4,
      requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
      connectOptions: options.connectOptions,
    });
  }

  /** A valid access token; throws CredentialsError or TokenEndpointError. */
  /** The cached token while it needs no refresh (no promise: the send path's common case); else undefined, and token() decides. */
  current(): string | undefined {
    const cached = this.cached;
    return cached && this.now() < cached.refreshAt ? cached.token : undefined;
  }

  async token(): Promise<string> {
    const fresh = this.current();
    if (fresh !== undefined) return fresh;
    const now = this.now();
    const cached = this.cached;
    const refused = this.refusal !== undefined && now < this.refusal.until;
    // Due for refresh but still valid: keep sending with it, even while the endpoint refuses us.
    if (cached && now < cached.expiresAt - EXPIRY_SKEW_MS) {
      if (!refused && now >= this.backgroundNotBefore) {
        this.refresh().catch(() => {
          this.backgroundNotBefore = this.now() + BACKGROUND_RETRY_MS;
        });
      }
      return cached.token;
    }
    if (refused) throw this.refusal!.error;
    return this.refresh();
  }

  /** The provider refused this token (401): forget it so the next send fetches a new one. */
  invalidate(token: string): void {
    if (this.cached?.token === token) this.cached = undefined;
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  private refresh(): Promise<string> {
    this.inflight ??= this.fetchToken().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async fetchToken(): Promise<string> {
    const requestedAt = this.now();
    const iat = Math.floor(requestedAt / 1000);
    const assertion = signJwt(
      { alg: 'RS256' },
      { iss: this.account.client_email, scope: FCM_SCOPE, aud: this.account.token_uri, iat, exp: iat + ASSERTION_LIFETIME_S },
      this.key,
    );
    this.requests += 1;
    let response;
    try {
      response = await this.pool.request({
        path: `${this.tokenUrl.pathname}${this.tokenUrl.search}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: JWT_BEARER_GRANT, assertion }).toString(),
      });
    } catch (error) {
      const detail = error instanceof Http2RequestError ? `${error.kind}: ${error.message}` : String(error);
      throw new TokenEndpointError(`token endpoint ${this.tokenUrl.origin} unreachable (${detail})`);
    }
    const body = parseJsonObject(response.body);
    if (response.status === 200 && body && typeof body.access_token === 'string' && typeof body.expires_in === 'number') {
      const ttl = body.expires_in * 1000;
      this.cached = {
        token: body.access_token,
        refreshAt: requestedAt + ttl - Math.min(REFRESH_MARGIN_MS, ttl * 0.2),
        expiresAt: requestedAt + ttl,
      };
      this.refusal = undefined;
      return body.access_token;
    }
    const what = `${response.status} ${String(body?.error ?? '')} ${String(body?.error_description ?? '')}`.trim();
    if (response.status >= 400 && response.status < 500 && response.status !== 429) {
      const error = new CredentialsError(`token endpoint refused service account ${this.account.client_email}: ${what}`, response.status);
      this.refusal = { error, until: this.now() + this.holdMs };
      throw error;
    }
    throw new TokenEndpointError(`token endpoint failed: ${what}`, response.status, parseRetryAfter(response.headers['retry-after']));
  }
}
