import { status } from '@grpc/grpc-js';
import type { Metadata } from '@grpc/grpc-js';

// One error class per failure mode (STYLE habit 5). Domain code throws these; only the gRPC
// edge (status-mapping.ts) turns them into a status, and turns a received status back into
// the matching class on the client side, so callers branch with `instanceof`, never on codes.

export interface GrpcErrorOptions {
  /** The underlying failure, kept for logs; never sent over the wire. */
  cause?: unknown;
  /** Trailing metadata: sent with the status by a server, as received by a client. */
  metadata?: Metadata;
}

export interface RetryableErrorOptions extends GrpcErrorOptions {
  /**
   * Set by a server that knows a retry is safe and worth it after this long (sent as
   * google.rpc.RetryInfo). Clients retry RESOURCE_EXHAUSTED only when it is present.
   */
  retryAfterMs?: number;
}

/** A failure with a gRPC status code; the base of every class below. */
export class GrpcStatusError extends Error {
  override readonly name: string = 'GrpcStatusError';
  readonly code: status;
  readonly metadata: Metadata | undefined;

  constructor(code: status, message: string, options: GrpcErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.metadata = options.metadata;
  }
}

/** A request field is malformed or out of range; `field` names it (a proto field path). */
export class InvalidArgumentError extends GrpcStatusError {
  override readonly name = 'InvalidArgumentError';
  readonly field: string;
  /** What is wrong with the field, without the field name. */
  readonly description: string;

  constructor(field: string, description: string, options?: GrpcErrorOptions) {
    super(status.INVALID_ARGUMENT, `${field}: ${description}`, options);
    this.field = field;
    this.description = description;
  }
}

export class NotFoundError extends GrpcStatusError {
  override readonly name = 'NotFoundError';
  constructor(message: string, options?: GrpcErrorOptions) {
    super(status.NOT_FOUND, message, options);
  }
}

export class PermissionDeniedError extends GrpcStatusError {
  override readonly name = 'PermissionDeniedError';
  constructor(message: string, options?: GrpcErrorOptions) {
    super(status.PERMISSION_DENIED, message, options);
  }
}

export class AlreadyExistsError extends GrpcStatusError {
  override readonly name = 'AlreadyExistsError';
  constructor(message: string, options?: GrpcErrorOptions) {
    super(status.ALREADY_EXISTS, message, options);
  }
}

/** The system is not in the state the operation needs; retrying as is will not help. */
export class FailedPreconditionError extends GrpcStatusError {
  override readonly name = 'FailedPreconditionError';
  constructor(message: string, options?: GrpcErrorOptions) {
    super(status.FAILED_PRECONDITION, message, options);
  }
}

/** Transiently unable to serve (draining, dependency down); idempotent calls may retry. */
export class UnavailableError extends GrpcStatusError {
  override readonly name = 'UnavailableError';
  readonly retryAfterMs: number | undefined;
  constructor(message: string, options: RetryableErrorOptions = {}) {
    super(status.UNAVAILABLE, message, options);
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** A quota or limit is hit; retryable only when the server sets `retryAfterMs`. */
export class ResourceExhaustedError extends GrpcStatusError {
  override readonly name = 'ResourceExhaustedError';
  readonly retryAfterMs: number | undefined;
  constructor(message: string, options: RetryableErrorOptions = {}) {
    super(status.RESOURCE_EXHAUSTED, message, options);
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** Client side: the call's deadline passed before an answer. */
export class DeadlineExceededError extends GrpcStatusError {
  override readonly name = 'DeadlineExceededError';
  constructor(message: string, options?: GrpcErrorOptions) {
    super(status.DEADLINE_EXCEEDED, message, options);
  }
}

/** Client side: the call was cancelled (by this process or the server). */
export class CancelledError extends GrpcStatusError {
  override readonly name = 'CancelledError';
  constructor(message: string, options?: GrpcErrorOptions) {
    super(status.CANCELLED, message, options);
  }
}
