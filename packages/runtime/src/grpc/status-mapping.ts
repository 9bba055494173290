import { Metadata, status } from '@grpc/grpc-js';
import type { ServiceError, StatusObject } from '@grpc/grpc-js';
import {
  AlreadyExistsError,
  CancelledError,
  DeadlineExceededError,
  FailedPreconditionError,
  GrpcStatusError,
  InvalidArgumentError,
  NotFoundError,
  PermissionDeniedError,
  ResourceExhaustedError,
  UnavailableError,
} from './errors.js';
import type { GrpcErrorOptions } from './errors.js';
import { decodeStatusDetails, encodeStatusDetails, STATUS_DETAILS_KEY } from './status-details.js';
import type { StatusDetails } from './status-details.js';

// The only place where errors become gRPC statuses (server edge) and statuses become errors
// (client edge). The field of an INVALID_ARGUMENT travels twice: in the standard
// google.rpc.BadRequest detail, and in a plain `x-field` trailer that grpcurl prints as is.

export const FIELD_METADATA_KEY = 'x-field';

/** What a client sees for any error the server did not classify; the real one is only logged. */
export const INTERNAL_ERROR_MESSAGE = 'internal error';

type StatusParts = Pick<StatusObject, 'code' | 'details' | 'metadata'>;

/**
 * Server edge: the status to send for anything a handler threw. Unclassified errors become
 * INTERNAL with a generic message and are handed to `onUnexpected` for logging, so internals
 * (SQL, stack traces, hostnames) never leak to callers.
 */
export function toStatus(error: unknown, onUnexpected: (error: unknown) => void): StatusParts {
  if (!(error instanceof GrpcStatusError) || error.code === status.OK) {
    onUnexpected(error);
    return { code: status.INTERNAL, details: INTERNAL_ERROR_MESSAGE, metadata: new Metadata() };
  }
  const metadata = error.metadata?.clone() ?? new Metadata();
  const details: StatusDetails = { fieldViolations: [], retryAfterMs: undefined };
  if (error instanceof InvalidArgumentError) {
    metadata.set(FIELD_METADATA_KEY, error.field);
    details.fieldViolations.push({ field: error.field, description: error.description });
  }
  if (error instanceof UnavailableError || error instanceof ResourceExhaustedError) {
    details.retryAfterMs = error.retryAfterMs;
  }
  if (details.fieldViolations.length > 0 || details.retryAfterMs !== undefined) {
    const encoded = encodeStatusDetails(error.code, error.message, details);
    metadata.set(STATUS_DETAILS_KEY, Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength));
  }
  return { code: error.code, details: error.message, metadata };
}

type ErrorFactory = (message: string, details: StatusDetails, options: GrpcErrorOptions) => GrpcStatusError;

// Status code → the class a client gets back (STYLE habit 4: a table, not a switch).
const ERROR_BY_CODE: ReadonlyMap<status, ErrorFactory> = new Map<status, ErrorFactory>([
  [status.NOT_FOUND, (message, _details, options) => new NotFoundError(message, options)],
  [status.PERMISSION_DENIED, (message, _details, options) => new PermissionDeniedError(message, options)],
  [status.ALREADY_EXISTS, (message, _details, options) => new AlreadyExistsError(message, options)],
  [status.FAILED_PRECONDITION, (message, _details, options) => new FailedPreconditionError(message, options)],
  [status.DEADLINE_EXCEEDED, (message, _details, options) => new DeadlineExceededError(message, options)],
  [status.CANCELLED, (message, _details, options) => new CancelledError(message, options)],
  [status.UNAVAILABLE, (message, details, options) => new UnavailableError(message, { ...options, retryAfterMs: details.retryAfterMs })],
  [
    status.RESOURCE_EXHAUSTED,
    (message, details, options) => new ResourceExhaustedError(message, { ...options, retryAfterMs: details.retryAfterMs }),
  ],
  [status.INVALID_ARGUMENT, invalidArgumentFromStatus],
]);

function invalidArgumentFromStatus(message: string, details: StatusDetails, options: GrpcErrorOptions): GrpcStatusError {
  const violation = details.fieldViolations[0];
  if (violation !== undefined) return new InvalidArgumentError(violation.field, violation.description, options);
  const field = firstString(options.metadata, FIELD_METADATA_KEY);
  if (field === undefined) return new GrpcStatusError(status.INVALID_ARGUMENT, message, options);
  const prefix = `${field}: `;
  return new InvalidArgumentError(field, message.startsWith(prefix) ? message.slice(prefix.length) : message, options);
}

/** Trailer-derived details of a status; shared with the retry policy. */
export function statusDetailsOf(metadata: Metadata | undefined): StatusDetails {
  const raw = metadata?.get(STATUS_DETAILS_KEY)[0];
  if (!(raw instanceof Uint8Array)) return { fieldViolations: [], retryAfterMs: undefined };
  try {
    return decodeStatusDetails(raw);
  } catch {
    // A peer's malformed details must not turn a clean status into a crash.
    return { fieldViolations: [], retryAfterMs: undefined };
  }
}

/** Client edge: a received status (grpc-js ServiceError) back into the matching error class. */
export function fromServiceError(error: ServiceError | StatusParts): GrpcStatusError {
  if (error instanceof GrpcStatusError) return error;
  const options: GrpcErrorOptions = { cause: error, metadata: error.metadata };
  const factory = ERROR_BY_CODE.get(error.code);
  if (factory === undefined) return new GrpcStatusError(error.code, error.details, options);
  return factory(error.details, statusDetailsOf(error.metadata), options);
}

/** True for the error objects grpc-js produces for a non-OK status. */
export function isServiceError(error: unknown): error is ServiceError {
  return (
    error instanceof Error &&
    typeof (error as Partial<ServiceError>).code === 'number' &&
    (error as Partial<ServiceError>).metadata instanceof Metadata
  );
}

function firstString(metadata: Metadata | undefined, key: string): string | undefined {
  const value = metadata?.get(key)[0];
  return typeof value === 'string' ? value : undefined;
}
