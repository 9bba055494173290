import { InterceptingCall, Metadata, status as grpcStatus } from '@grpc/grpc-js';
import type { Deadline, Interceptor, InterceptingListener, NextCall, StatusObject } from '@grpc/grpc-js';

type InterceptingCallInterface = ReturnType<NextCall>;
import { DEFAULT_RETRY_POLICY, nextRetryDelayMs } from './retry-policy.js';
import type { RetryPolicy } from './retry-policy.js';
import { statusDetailsOf } from './status-mapping.js';

// Applies retry-policy.ts to unary calls. The client adds it only to calls that are
// idempotent (marked by the caller or by the proto's idempotency_level), so the interceptor
// itself retries whatever it is given. Streaming calls are never retried: after the first
// message has gone, a replay could duplicate side effects.

function deadlineMs(deadline: Deadline | undefined): number {
  if (deadline === undefined) return Number.POSITIVE_INFINITY;
  return deadline instanceof Date ? deadline.getTime() : deadline;
}

interface AttemptOutcome {
  readonly status: StatusObject;
  readonly message: unknown;
}

/** Starts one more attempt on a fresh call down the interceptor chain; reports its outcome. */
function startAttempt(
  call: InterceptingCallInterface,
  metadata: Metadata,
  request: unknown,
  done: (outcome: AttemptOutcome) => void,
): void {
  let message: unknown;
  call.start(metadata, {
    onReceiveMessage: (received: unknown) => {
      message = received;
    },
    onReceiveStatus: (status: StatusObject) => done({ status, message }),
  });
  call.sendMessage(request);
  call.halfClose();
}

/** The attempts of one logical call; the outer listener only ever hears the final one. */
class RetryingCall {
  #attempt = 1;
  #timer: NodeJS.Timeout | undefined;
  #current: InterceptingCallInterface | undefined;
  #finished = false;

  constructor(
    private readonly startNext: () => InterceptingCallInterface,
    private readonly policy: RetryPolicy,
    private readonly deadline: number,
    private readonly random: () => number,
    private readonly metadata: Metadata,
    private readonly listener: InterceptingListener,
    private readonly request: () => unknown,
  ) {}

  settle(outcome: AttemptOutcome): void {
    if (this.#finished) return;
    const failure = { code: outcome.status.code, retryAfterMs: statusDetailsOf(outcome.status.metadata).retryAfterMs };
    const delay = nextRetryDelayMs(failure, this.#attempt, true, this.policy, this.deadline, Date.now(), this.random);
    if (outcome.status.code === grpcStatus.OK || delay === undefined) return this.#finish(outcome);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#attempt += 1;
      this.#current = this.startNext();
      startAttempt(this.#current, this.metadata.clone(), this.request(), (next) => this.settle(next));
    }, delay);
  }

  /** The caller cancelled: stop waiting, cancel the attempt in flight, report CANCELLED. */
  cancel(): void {
    if (this.#finished) return;
    clearTimeout(this.#timer);
    // Marked first, so the cancelled attempt's own status is not reported a second time.
    this.#finished = true;
    this.#current?.cancelWithStatus(grpcStatus.CANCELLED, 'Cancelled on client');
    this.listener.onReceiveStatus({ code: grpcStatus.CANCELLED, details: 'Cancelled on client', metadata: new Metadata() });
  }

  #finish(outcome: AttemptOutcome): void {
    this.#finished = true;
    if (outcome.status.code === grpcStatus.OK && outcome.message !== undefined) {
      this.listener.onReceiveMessage(outcome.message);
    }
    this.listener.onReceiveStatus(outcome.status);
  }
}

export function createRetryInterceptor(policy: RetryPolicy = DEFAULT_RETRY_POLICY, random: () => number = Math.random): Interceptor {
  return (options, nextCall) => {
    let request: unknown;
    let retrying: RetryingCall | undefined;
    const deadline = deadlineMs(options.deadline);
    return new InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        retrying = new RetryingCall(() => nextCall(options), policy, deadline, random, metadata.clone(), listener, () => request);
        let firstMessage: unknown;
        next(metadata, {
          onReceiveMessage(message: unknown) {
            firstMessage = message;
          },
          onReceiveStatus(status: StatusObject) {
            retrying?.settle({ status, message: firstMessage });
          },
        });
      },
      sendMessage(message, next) {
        request = message;
        next(message);
      },
      cancel(next) {
        next();
        retrying?.cancel();
      },
    });
  };
}
