// A local APNs over h2c: POST /3/device/{token} with a provider JWT (ES256 signature checked with
// the registered key's public half, team, age ≤ 1 h, renewals no more often than every 20 min),
// apns-topic allowed for the key, push type, priority, expiration, collapse id and payload, with
// latency and injected faults answered as APNs does ({reason}, 410 with timestamp, Retry-After).
// Keeps per-token delivery counts and, optionally, the delivered notifications. No jest here.
import { createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import { decodeJwt, verifyJwt } from '../providers/jwt';
import { FakeProvider } from './fake-provider';
import { FaultInjector, type Fault } from './fault-injector';
import { FakeHttp2Server, type FakeAnswer, type FakeRequest } from './fake-http2-server';
import { isObject } from './fcm-message-validation';

export interface FakeApnsOptions {
  port?: number;
  latencyMs?: number;
  faults?: FaultInjector;
  recordMessages?: boolean;
  maxConcurrentStreams?: number;
  /** Wall clock in ms (token ages, 410 timestamps). */
  now?: () => number;
}

export interface ApnsKeyRegistration {
  teamId: string;
  keyId: string;
  publicKey: KeyObject | string;
  /** Bundle ids this key may push to. */
  topics: string[];
}

export interface ApnsDelivery {
  token: string;
  topic: string;
  pushType: string;
  priority: string;
  expiration: number;
  collapseId?: string;
  payload: Record<string, unknown>;
}

interface RegisteredKey {
  teamId: string;
  publicKey: KeyObject;
  topics: Set<string>;
}

/** The provider token a connection uses for a key and when it was first seen (TooManyProviderTokenUpdates). */
interface TokenInUse {
  jwt: string;
  since: number;
}

const DEVICE_PATH = /^\/3\/device\/([^/?]+)$/;
const PUSH_TYPES = new Set(['alert', 'background', 'location', 'voip', 'complication', 'fileprovider', 'mdm', 'liveactivity', 'pushtotalk']);
const TOKEN_MAX_AGE_MS = 3_600_000;
const MIN_TOKEN_UPDATE_MS = 20 * 60_000;
const MAX_PAYLOAD_BYTES = 4096;

export class FakeApns extends FakeProvider {
  readonly messages: ApnsDelivery[] = [];
  delivered = 0;
  /** Distinct provider JWTs accepted. */
  readonly providerTokens = new Set<string>();
  private readonly keys = new Map<string, RegisteredKey>();
  private readonly tokensInUse = new WeakMap<object, Map<string, TokenInUse>>();
  private readonly now: () => number;
  private readonly record: boolean;

  private constructor(options: FakeApnsOptions) {
    super(options.faults ?? new FaultInjector());
    this.now = options.now ?? Date.now;
    this.record = options.recordMessages ?? true;
  }

  static async start(options: FakeApnsOptions = {}): Promise<FakeApns> {
    const fake = new FakeApns(options);
    fake.server = await FakeHttp2Server.start((request) => fake.handle(request), {
      port: options.port,
      latencyMs: options.latencyMs,
      maxConcurrentStreams: options.maxConcurrentStreams,
    });
    return fake;
  }

  set latencyMs(ms: number) {
    this.server.latencyMs = ms;
  }

  addKey(key: ApnsKeyRegistration): void {
    this.keys.set(key.keyId, {
      teamId: key.teamId,
      publicKey: typeof key.publicKey === 'string' ? createPublicKey(key.publicKey) : key.publicKey,
      topics: new Set(key.topics),
    });
  }

  private handle(request: FakeRequest): FakeAnswer {
    if (request.method !== 'POST') return reason(405, 'MethodNotAllowed');
    const match = DEVICE_PATH.exec(request.path);
    if (!match) return reason(404, 'BadPath');
    const token = decodeURIComponent(match[1]!);
    const auth = this.authenticate(String(request.headers.authorization ?? ''), request.session ?? this);
    if ('status' in auth) return auth;
    const problem = this.checkHeaders(request, auth.key) ?? checkToken(token);
    if (problem) return problem;
    const payload = parsePayload(request.body);
    if ('status' in payload) return payload;
    if (this.unregistered.has(token)) return reason(410, 'Unregistered', { timestamp: this.now() });
    const fault = this.faults.decide(token);
    if (fault && fault.kind !== 'goaway') return this.apnsFault(fault);
    this.delivered += 1;
    this.countDelivery(token);
    if (this.record) this.messages.push(toDelivery(token, request, payload.payload));
    return { status: 200, headers: { 'apns-id': randomUUID() }, closeSession: fault?.kind === 'goaway' };
  }

  private authenticate(authorization: string, connection: object): { key: RegisteredKey } | { status: number; body: unknown } {
    if (authorization === '') return reason(403, 'MissingProviderToken');
    if (!authorization.toLowerCase().startsWith('bearer ')) return reason(403, 'InvalidProviderToken');
    const jwt = authorization.slice(7);
    const kid = decodeJwt(jwt)?.header.kid;
    const key = typeof kid === 'string' ? this.keys.get(kid) : undefined;
    if (!key) return reason(403, 'InvalidProviderToken');
    const verified = verifyJwt(jwt, 'ES256', key.publicKey);
    if (!verified || verified.claims.iss !== key.teamId) return reason(403, 'InvalidProviderToken');
    const iat = verified.claims.iat;
    const now = this.now();
    if (typeof iat !== 'number' || iat * 1000 > now + 60_000) return reason(403, 'InvalidProviderToken');
    if (now - iat * 1000 > TOKEN_MAX_AGE_MS) return reason(403, 'ExpiredProviderToken');
    // Tracked per connection and key, so separate clients (bench workers) do not trip each other.
    let inUse = this.tokensInUse.get(connection);
    if (!inUse) this.tokensInUse.set(connection, (inUse = new Map()));
    const current = inUse.get(kid as string);
    if (current?.jwt !== jwt) {
      if (current !== undefined && now - current.since < MIN_TOKEN_UPDATE_MS) return reason(429, 'TooManyProviderTokenUpdates');
      inUse.set(kid as string, { jwt, since: now });
    }
    this.providerTokens.add(jwt);
    return { key };
  }

  private checkHeaders(request: FakeRequest, key: RegisteredKey): FakeAnswer | undefined {
    const h = request.headers;
    const topic = h['apns-topic'];
    if (typeof topic !== 'string' || topic === '') return reason(400, 'MissingTopic');
    if (!key.topics.has(topic)) return reason(400, 'TopicDisallowed');
    if (typeof h['apns-push-type'] !== 'string' || !PUSH_TYPES.has(h['apns-push-type'])) return reason(400, 'InvalidPushType');
    const priority = h['apns-priority'];
    if (priority !== undefined && !['1', '5', '10'].includes(String(priority))) return reason(400, 'BadPriority');
    const expiration = h['apns-expiration'];
    if (expiration !== undefined && !/^\d+$/.test(String(expiration))) return reason(400, 'BadExpirationDate');
    const collapseId = h['apns-collapse-id'];
    if (collapseId !== undefined && Buffer.byteLength(String(collapseId), 'utf8') > 64) return reason(400, 'BadCollapseId');
    return undefined;
  }

  private apnsFault(fault: Fault): FakeAnswer {
    const retryAfter: Record<string, string> = fault.retryAfter === undefined ? {} : { 'retry-after': fault.retryAfter };
    switch (fault.kind) {
      case 'unregistered':
        return reason(410, 'Unregistered', { timestamp: this.now() });
      case 'bad-token':
        return reason(400, 'BadDeviceToken');
      case 'rate-limited':
        return { ...reason(429, 'TooManyRequests'), headers: retryAfter };
      case 'unavailable':
        return { ...reason(503, 'ServiceUnavailable'), headers: retryAfter };
      case 'internal':
        return reason(500, 'InternalServerError');
      case 'reset':
      case 'stall':
        return fault.kind;
      case 'goaway':
        throw new Error('goaway is answered as a delivery');
    }
  }
}

function checkToken(token: string): FakeAnswer | undefined {
  return /^[0-9a-f]{64,200}$/i.test(token) ? undefined : reason(400, 'BadDeviceToken');
}

function parsePayload(body: string): { payload: Record<string, unknown> } | { status: number; body: unknown } {
  if (body === '') return reason(400, 'PayloadEmpty');
  if (Buffer.byteLength(body, 'utf8') > MAX_PAYLOAD_BYTES) return reason(413, 'PayloadTooLarge');
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return reason(400, 'PayloadEmpty');
  }
  if (!isObject(parsed) || !isObject(parsed.aps)) return reason(400, 'PayloadEmpty');
  return { payload: parsed };
}

function toDelivery(token: string, request: FakeRequest, payload: Record<string, unknown>): ApnsDelivery {
  const h = request.headers;
  const delivery: ApnsDelivery = {
    token,
    topic: String(h['apns-topic']),
    pushType: String(h['apns-push-type']),
    priority: String(h['apns-priority'] ?? '10'),
    expiration: Number(h['apns-expiration'] ?? 0),
    payload,
  };
  if (h['apns-collapse-id'] !== undefined) delivery.collapseId = String(h['apns-collapse-id']);
  return delivery;
}

function reason(status: number, why: string, extra: Record<string, unknown> = {}): { status: number; body: unknown } {
  return { status, body: { reason: why, ...extra } };
}
