// Bookkeeping of a push burst: what each (request, device) pair should have become and what the
// provider fakes and the dead-letter topic say it became, split into eras (era 1: the instance
// that was killed; era 2: the one started after it). check() lists every pair that breaks the
// rules below, so a failing test names the pairs; it never looks at timing.
//
// For every request R of user U and every device D that U had registered when the burst began:
// - D's token is one the provider calls unregistered: R is never delivered to D nor dead-lettered
//   for D (the provider's answer removes the token; removal is the settlement).
// - Otherwise R settles for D: at least one delivery of R to D or one dead letter of R naming D.
//   Within one era at most one of those exists (an instance never delivers a pair twice, nor both
//   delivers and dead-letters it). A second settlement is allowed only across the crash: the
//   killed instance settled the pair but had not committed R, so the new instance handles R again
//   (at-least-once). Such a pair is a crash duplicate.
// - Every delivery of R, duplicate or not, carries R's collapse id (FCM android.collapse_key,
//   notification tag and apns-collapse-id; APNs apns-collapse-id), so a device shows a redelivered
//   notification in place of the first one rather than beside it.
// - Every dead letter names a device of R's user, says why (push-reason, with the attempts and the
//   provider status) and carries R itself (key and value as produced) for a replay.
import { fromBinary } from '@bufbuild/protobuf';
import { pushV1 } from '@switchboard/proto';
import { DLQ_HEADERS } from '@switchboard/runtime';
import { PUSH_DLQ_HEADERS } from '../../services/push/src/pipeline/dead-letters';
import type { ApnsDelivery, FcmDelivery } from '../../services/push/src/testing';
import type { DeadLetter } from './push-deployment';

/** The data key every burst request carries its id in, so a delivery names its request. */
export const REQUEST_DATA_KEY = 'burst_request';

export type Era = 1 | 2;

export interface BurstDevice {
  userId: string;
  platform: 'fcm' | 'apns';
  appId: string;
  token: string;
}

export interface ObservedDelivery {
  requestId: string;
  token: string;
  /** Every collapse id the provider request carried. */
  collapseIds: string[];
  era: Era;
}

export interface ObservedDeadLetter {
  requestId: string;
  userKey: string;
  token: string;
  platform: string;
  appId: string;
  reason: string;
  attempts: string;
  status: string;
  originalTopic: string;
  groupId: string;
  era: Era;
}

export interface DeadLetterExpectations {
  requestsTopic: string;
  group: string;
  /** The push-reason values a letter may give, with the provider statuses each may carry. */
  reasons: Record<string, string[]>;
  attempts: string;
}

export interface LedgerSummary {
  pairs: number;
  delivered: number;
  deadLettered: number;
  unregisteredPairs: number;
  crashDuplicates: number;
  /** Dead letters without push-reason: the log gave up on a whole record (never expected here). */
  recordLetters: number;
  violations: string[];
}

const MAX_REPORTED = 25;

export function fcmDeliveries(messages: readonly FcmDelivery[], eraOf: (index: number) => Era): ObservedDelivery[] {
  return messages.map((m, index) => ({
    requestId: m.data[REQUEST_DATA_KEY] ?? '',
    token: m.token,
    collapseIds: [m.collapseKey, m.tag, m.apnsCollapseId].map((id) => id ?? '(none)'),
    era: eraOf(index),
  }));
}

export function apnsDeliveries(messages: readonly ApnsDelivery[], eraOf: (index: number) => Era): ObservedDelivery[] {
  return messages.map((m, index) => ({
    requestId: typeof m.payload[REQUEST_DATA_KEY] === 'string' ? (m.payload[REQUEST_DATA_KEY] as string) : '',
    token: m.token,
    collapseIds: [m.collapseId ?? '(none)'],
    era: eraOf(index),
  }));
}

/** A dead letter as the pipeline writes it; the era from its dlq-failed-at against the kill. */
export function observedDeadLetter(letter: DeadLetter, killedAt: number): ObservedDeadLetter {
  const h = letter.headers;
  let requestId = '';
  try {
    requestId = fromBinary(pushV1.PushRequestSchema, letter.value).requestId;
  } catch {
    // left empty: reported as a letter of no known request
  }
  return {
    requestId,
    userKey: letter.key,
    token: h[PUSH_DLQ_HEADERS.token] ?? '',
    platform: h[PUSH_DLQ_HEADERS.platform] ?? '',
    appId: h[PUSH_DLQ_HEADERS.appId] ?? '',
    reason: h[PUSH_DLQ_HEADERS.reason] ?? '',
    attempts: h[PUSH_DLQ_HEADERS.attempts] ?? '',
    status: h[PUSH_DLQ_HEADERS.status] ?? '',
    originalTopic: h[DLQ_HEADERS.topic] ?? '',
    groupId: h[DLQ_HEADERS.groupId] ?? '',
    era: Date.parse(h[DLQ_HEADERS.failedAt] ?? '') < killedAt ? 1 : 2,
  };
}

interface PairOutcome {
  delivered: [number, number];
  deadLettered: [number, number];
}

export class DeliveryLedger {
  readonly #requests = new Map<string, pushV1.PushRequest>();
  readonly #devicesByUser = new Map<string, BurstDevice[]>();

  constructor(
    requests: readonly pushV1.PushRequest[],
    devices: readonly BurstDevice[],
    private readonly unregistered: ReadonlySet<string>,
  ) {
    for (const r of requests) this.#requests.set(r.requestId, r);
    for (const d of devices) this.#devicesByUser.set(d.userId, [...(this.#devicesByUser.get(d.userId) ?? []), d]);
  }

  check(deliveries: readonly ObservedDelivery[], letters: readonly ObservedDeadLetter[], expect: DeadLetterExpectations): LedgerSummary {
    const violations: string[] = [];
    const report = (text: string) => {
      if (violations.length < MAX_REPORTED) violations.push(text);
      else if (violations.length === MAX_REPORTED) violations.push('… (more)');
    };
    const outcomes = new Map<string, PairOutcome>();
    const outcomeOf = (requestId: string, token: string, what: string): PairOutcome | undefined => {
      const request = this.#requests.get(requestId);
      if (!request) return report(`${what} of unknown request "${requestId}" (token ${short(token)})`), undefined;
      if (!(this.#devicesByUser.get(request.userId) ?? []).some((d) => d.token === token)) {
        return report(`${what} of ${requestId} to token ${short(token)}, not a device of user ${request.userId}`), undefined;
      }
      const key = `${requestId} ${token}`;
      let outcome = outcomes.get(key);
      if (!outcome) outcomes.set(key, (outcome = { delivered: [0, 0], deadLettered: [0, 0] }));
      return outcome;
    };

    for (const d of deliveries) {
      const outcome = outcomeOf(d.requestId, d.token, 'delivery');
      if (!outcome) continue;
      outcome.delivered[d.era - 1]! += 1;
      const want = this.#requests.get(d.requestId)!.collapseKey;
      if (d.collapseIds.some((id) => id !== want)) report(`delivery of ${d.requestId} (era ${d.era}) carried collapse ids ${d.collapseIds.join(',')}, not ${want}`);
    }
    let recordLetters = 0;
    for (const l of letters) {
      if (l.reason === '') {
        recordLetters += 1;
        report(`record-level dead letter of ${l.requestId || 'an undecodable record'} (no push-reason)`);
        continue;
      }
      const outcome = outcomeOf(l.requestId, l.token, 'dead letter');
      if (!outcome) continue;
      outcome.deadLettered[l.era - 1]! += 1;
      const request = this.#requests.get(l.requestId)!;
      const device = this.#devicesByUser.get(request.userId)!.find((d) => d.token === l.token)!;
      const statuses = expect.reasons[l.reason];
      if (!statuses) report(`dead letter of ${l.requestId} gives reason "${l.reason}"`);
      else if (!statuses.includes(l.status)) report(`dead letter of ${l.requestId} (${l.reason}) has status "${l.status}"`);
      if (l.attempts !== expect.attempts) report(`dead letter of ${l.requestId} says ${l.attempts} attempts, not ${expect.attempts}`);
      if (l.platform !== device.platform || l.appId !== device.appId) report(`dead letter of ${l.requestId} names ${l.platform}/${l.appId}, not ${device.platform}/${device.appId}`);
      if (l.userKey !== request.userId) report(`dead letter of ${l.requestId} is keyed "${l.userKey}", not its user ${request.userId}`);
      if (l.originalTopic !== expect.requestsTopic || l.groupId !== expect.group) report(`dead letter of ${l.requestId} names topic ${l.originalTopic} / group ${l.groupId}`);
    }

    const summary: LedgerSummary = { pairs: 0, delivered: 0, deadLettered: 0, unregisteredPairs: 0, crashDuplicates: 0, recordLetters, violations };
    for (const request of this.#requests.values()) {
      for (const device of this.#devicesByUser.get(request.userId) ?? []) {
        summary.pairs += 1;
        const pair = `${request.requestId} → ${device.platform} ${short(device.token)}`;
        const o = outcomes.get(`${request.requestId} ${device.token}`) ?? { delivered: [0, 0], deadLettered: [0, 0] };
        const [d1, d2] = o.delivered;
        const [l1, l2] = o.deadLettered;
        if (this.unregistered.has(device.token)) {
          summary.unregisteredPairs += 1;
          if (d1 + d2 + l1 + l2 > 0) report(`${pair}: unregistered token, yet ${d1 + d2} deliveries and ${l1 + l2} dead letters`);
          continue;
        }
        if (d1 + d2 > 0) summary.delivered += 1;
        else if (l1 + l2 > 0) summary.deadLettered += 1;
        else report(`${pair}: neither delivered nor dead-lettered (lost)`);
        if (d1 + l1 > 1) report(`${pair}: settled ${d1 + l1} times by the killed instance (${d1} deliveries, ${l1} dead letters)`);
        if (d2 + l2 > 1) report(`${pair}: settled ${d2 + l2} times by the new instance (${d2} deliveries, ${l2} dead letters)`);
        if (d1 + l1 === 1 && d2 + l2 === 1) summary.crashDuplicates += 1;
      }
    }
    return summary;
  }
}

function short(token: string): string {
  return `${token.slice(0, 12)}…`;
}
