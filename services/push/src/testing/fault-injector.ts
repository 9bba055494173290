// Decides, per request, whether a fake provider answers with a failure instead of delivering:
// by device token, by probability, or for a limited number of requests. Shared by the FCM and
// APNs fakes, which translate each kind into their own wire answer.

export type FaultKind =
  /** The token is gone (FCM 404 UNREGISTERED, APNs 410 Unregistered). */
  | 'unregistered'
  /** The token is malformed (FCM 400 INVALID_ARGUMENT, APNs 400 BadDeviceToken). */
  | 'bad-token'
  /** 429 with Retry-After. */
  | 'rate-limited'
  /** 503 with Retry-After. */
  | 'unavailable'
  /** 500. */
  | 'internal'
  /** The stream is reset without an answer. */
  | 'reset'
  /** No answer at all (the client's timeout fires). */
  | 'stall'
  /** Delivered, then the connection is closed with GOAWAY (the client must reconnect). */
  | 'goaway';

export interface FaultRule {
  kind: FaultKind;
  /** Only requests for these device tokens (default: every request). */
  tokens?: Iterable<string>;
  /** Chance that a matching request fails (default 1). */
  probability?: number;
  /** Stop after this many failures (default: no limit). */
  times?: number;
  /** Retry-After for rate-limited/unavailable: seconds, or an HTTP-date string. */
  retryAfter?: number | string;
}

export interface Fault {
  kind: FaultKind;
  /** The Retry-After header value to send, if any. */
  retryAfter?: string;
}

interface ActiveRule {
  kind: FaultKind;
  tokens: Set<string> | undefined;
  probability: number;
  remaining: number;
  retryAfter: string | undefined;
}

export class FaultInjector {
  private rules: ActiveRule[] = [];
  /** Failures injected so far, by kind. */
  readonly injected = new Map<FaultKind, number>();

  constructor(
    rules: FaultRule[] = [],
    private readonly random: () => number = Math.random,
  ) {
    for (const rule of rules) this.add(rule);
  }

  add(rule: FaultRule): this {
    const probability = rule.probability ?? 1;
    if (!(probability >= 0 && probability <= 1)) throw new Error(`fault probability must be within 0..1, got ${probability}`);
    this.rules.push({
      kind: rule.kind,
      tokens: rule.tokens === undefined ? undefined : new Set(rule.tokens),
      probability,
      remaining: rule.times ?? Number.POSITIVE_INFINITY,
      retryAfter: rule.retryAfter === undefined ? undefined : String(rule.retryAfter),
    });
    return this;
  }

  clear(): void {
    this.rules = [];
  }

  /** The first matching rule that fires decides; undefined → answer normally. */
  decide(token: string): Fault | undefined {
    for (const rule of this.rules) {
      if (rule.remaining <= 0) continue;
      if (rule.tokens && !rule.tokens.has(token)) continue;
      if (rule.probability < 1 && this.random() >= rule.probability) continue;
      rule.remaining -= 1;
      this.injected.set(rule.kind, (this.injected.get(rule.kind) ?? 0) + 1);
      return rule.retryAfter === undefined ? { kind: rule.kind } : { kind: rule.kind, retryAfter: rule.retryAfter };
    }
    return undefined;
  }

  count(kind: FaultKind): number {
    return this.injected.get(kind) ?? 0;
  }
}
