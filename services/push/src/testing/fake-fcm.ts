// A local FCM HTTP v1 over h2c: the OAuth2 token endpoint (JWT-bearer grant, RS256 assertions
// checked against the registered service accounts' public keys) and messages:send (issued bearer
// token, project the account may use, message shape), with latency and injected faults answered in
// Google's error format. Keeps per-token delivery counts and, optionally, the delivered messages.
// No jest here: the bench drives it too.
import { randomBytes, createPublicKey, type KeyObject } from 'node:crypto';
import { FCM_SCOPE } from '../providers/fcm-auth';
import { FCM_ERROR_TYPE } from '../providers/fcm-message';
import { verifyJwt, decodeJwt } from '../providers/jwt';
import { FakeProvider } from './fake-provider';
import { FaultInjector, type Fault } from './fault-injector';
import { FakeHttp2Server, type FakeAnswer, type FakeRequest } from './fake-http2-server';
import { isObject, validateFcmRequest } from './fcm-message-validation';

export interface FakeFcmOptions {
  port?: number;
  latencyMs?: number;
  faults?: FaultInjector;
  /** expires_in of issued access tokens (default 3600). */
  accessTokenTtlSeconds?: number;
  /** Keep every delivered message for assertions (default true; the bench turns it off). */
  recordMessages?: boolean;
  maxConcurrentStreams?: number;
  /** Wall clock in ms (token lifetimes, assertion times); tests step it together with the client's. */
  now?: () => number;
}

export interface FcmDelivery {
  projectId: string;
  token: string;
  title?: string;
  body?: string;
  collapseKey?: string;
  tag?: string;
  notificationCount?: number;
  apnsCollapseId?: string;
  data: Record<string, string>;
}

interface Account {
  publicKey: KeyObject;
  projectIds: Set<string>;
}

interface IssuedToken {
  clientEmail: string;
  expiresAt: number;
}

const TOKEN_PATH = '/token';
const SEND_PATH = /^\/v1\/projects\/([^/]+)\/messages:send$/;

export class FakeFcm extends FakeProvider {
  readonly messages: FcmDelivery[] = [];
  accessTokenTtlSeconds: number;
  /** Token endpoint requests (granted or not). */
  tokenRequests = 0;
  tokensIssued = 0;
  delivered = 0;
  private readonly accounts = new Map<string, Account>();
  private issued = new Map<string, IssuedToken>();
  private readonly now: () => number;
  private readonly record: boolean;

  private constructor(options: FakeFcmOptions) {
    super(options.faults ?? new FaultInjector());
    this.accessTokenTtlSeconds = options.accessTokenTtlSeconds ?? 3600;
    this.now = options.now ?? Date.now;
    this.record = options.recordMessages ?? true;
  }

  static async start(options: FakeFcmOptions = {}): Promise<FakeFcm> {
    const fake = new FakeFcm(options);
    fake.server = await FakeHttp2Server.start((request) => fake.handle(request), {
      port: options.port,
      latencyMs: options.latencyMs,
      maxConcurrentStreams: options.maxConcurrentStreams,
    });
    return fake;
  }

  /** The token_uri to put in service accounts. */
  get tokenUri(): string {
    return `${this.server.url}${TOKEN_PATH}`;
  }

  set latencyMs(ms: number) {
    this.server.latencyMs = ms;
  }

  /** Lets this account obtain tokens (its assertions must verify with publicKey) and send to these projects. */
  addServiceAccount(clientEmail: string, publicKey: KeyObject | string, projectIds: string[]): void {
    this.accounts.set(clientEmail, { publicKey: typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey, projectIds: new Set(projectIds) });
  }

  /** Every issued access token stops working (the client must fetch a new one). */
  revokeAccessTokens(): void {
    this.issued = new Map();
  }

  private handle(request: FakeRequest): FakeAnswer {
    if (request.path === TOKEN_PATH && request.method === 'POST') return this.grant(request.body);
    const match = SEND_PATH.exec(request.path);
    if (!match || request.method !== 'POST') return googleError(404, 'NOT_FOUND', `${request.method} ${request.path} not found`);
    return this.send(decodeURIComponent(match[1]!), request);
  }

  private grant(body: string): FakeAnswer {
    this.tokenRequests += 1;
    const form = new URLSearchParams(body);
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      return oauthError('unsupported_grant_type', `Invalid grant_type: ${form.get('grant_type') ?? ''}`);
    }
    const assertion = form.get('assertion') ?? '';
    const iss = decodeJwt(assertion)?.claims.iss;
    const account = typeof iss === 'string' ? this.accounts.get(iss) : undefined;
    if (!account) return oauthError('invalid_grant', 'Invalid grant: account not found', 400);
    const verified = verifyJwt(assertion, 'RS256', account.publicKey);
    if (!verified) return oauthError('invalid_grant', 'Invalid JWT Signature.');
    const { aud, scope, iat, exp } = verified.claims;
    if (aud !== this.tokenUri) return oauthError('invalid_grant', `Invalid JWT: aud must be ${this.tokenUri}`);
    if (typeof scope !== 'string' || !scope.split(' ').includes(FCM_SCOPE)) return oauthError('invalid_scope', 'Invalid OAuth scope or ID token audience provided.');
    const nowS = this.now() / 1000;
    if (typeof iat !== 'number' || typeof exp !== 'number' || exp - iat > 3600 || exp <= nowS || iat > nowS + 60) {
      return oauthError('invalid_grant', 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.');
    }
    const accessToken = `ya29.fake-${randomBytes(24).toString('base64url')}`;
    this.issued.set(accessToken, { clientEmail: iss as string, expiresAt: this.now() + this.accessTokenTtlSeconds * 1000 });
    this.tokensIssued += 1;
    return { status: 200, body: { access_token: accessToken, expires_in: this.accessTokenTtlSeconds, token_type: 'Bearer' } };
  }

  private send(projectId: string, request: FakeRequest): FakeAnswer {
    const authorization = String(request.headers.authorization ?? '');
    const issued = authorization.startsWith('Bearer ') ? this.issued.get(authorization.slice(7)) : undefined;
    if (!issued || issued.expiresAt <= this.now()) {
      return googleError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.');
    }
    if (!this.accounts.get(issued.clientEmail)?.projectIds.has(projectId)) {
      return googleError(403, 'PERMISSION_DENIED', `Permission 'cloudmessaging.messages.create' denied on resource '//cloudresourcemanager.googleapis.com/projects/${projectId}' (or it may not exist).`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(request.body);
    } catch {
      return invalidArgument('Invalid JSON payload received.');
    }
    const valid = validateFcmRequest(parsed);
    if (!valid.ok) return invalidArgument(valid.error);
    const message = valid.message;
    const token = String(message.token ?? '');
    if (this.unregistered.has(token)) return fcmFault({ kind: 'unregistered' });
    const fault = this.faults.decide(token);
    if (fault && fault.kind !== 'goaway') return fcmFault(fault);
    this.delivered += 1;
    this.countDelivery(token);
    if (this.record) this.messages.push(toDelivery(projectId, token, message));
    return { status: 200, body: { name: `projects/${projectId}/messages/${randomBytes(8).toString('hex')}` }, closeSession: fault?.kind === 'goaway' };
  }
}

function toDelivery(projectId: string, token: string, message: Record<string, unknown>): FcmDelivery {
  const notification = isObject(message.notification) ? message.notification : {};
  const android = isObject(message.android) ? message.android : {};
  const androidNotification = isObject(android.notification) ? android.notification : {};
  const apns = isObject(message.apns) ? message.apns : {};
  const apnsHeaders = isObject(apns.headers) ? apns.headers : {};
  const delivery: FcmDelivery = { projectId, token, data: (isObject(message.data) ? message.data : {}) as Record<string, string> };
  if (typeof notification.title === 'string') delivery.title = notification.title;
  if (typeof notification.body === 'string') delivery.body = notification.body;
  if (typeof android.collapse_key === 'string') delivery.collapseKey = android.collapse_key;
  if (typeof androidNotification.tag === 'string') delivery.tag = androidNotification.tag;
  if (typeof androidNotification.notification_count === 'number') delivery.notificationCount = androidNotification.notification_count;
  if (typeof apnsHeaders['apns-collapse-id'] === 'string') delivery.apnsCollapseId = apnsHeaders['apns-collapse-id'];
  return delivery;
}

function fcmFault(fault: Fault): FakeAnswer {
  const retryAfter: Record<string, string> = fault.retryAfter === undefined ? {} : { 'retry-after': fault.retryAfter };
  switch (fault.kind) {
    case 'unregistered':
      return googleError(404, 'NOT_FOUND', 'Requested entity was not found.', 'UNREGISTERED');
    case 'bad-token':
      return googleError(400, 'INVALID_ARGUMENT', 'The registration token is not a valid FCM registration token', 'INVALID_ARGUMENT');
    case 'rate-limited':
      return { ...googleError(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded for quota metric messages.', 'QUOTA_EXCEEDED'), headers: retryAfter };
    case 'unavailable':
      return { ...googleError(503, 'UNAVAILABLE', 'The service is currently unavailable.', 'UNAVAILABLE'), headers: retryAfter };
    case 'internal':
      return googleError(500, 'INTERNAL', 'Internal error encountered.', 'INTERNAL');
    case 'reset':
    case 'stall':
      return fault.kind;
    case 'goaway':
      throw new Error('goaway is answered as a delivery');
  }
}

function invalidArgument(message: string): FakeAnswer {
  return googleError(400, 'INVALID_ARGUMENT', message, 'INVALID_ARGUMENT');
}

/** Google's JSON error body; FCM adds an FcmError detail with its own error code. */
function googleError(code: number, status: string, message: string, errorCode?: string): { status: number; body: unknown } {
  const error: Record<string, unknown> = { code, message, status };
  if (errorCode) error.details = [{ '@type': FCM_ERROR_TYPE, errorCode }];
  return { status: code, body: { error } };
}

function oauthError(error: string, description: string, status = 400): FakeAnswer {
  return { status, body: { error, error_description: description } };
}
