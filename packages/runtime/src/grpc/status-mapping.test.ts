import { Metadata, status } from '@grpc/grpc-js';
import {
  AlreadyExistsError,
  FailedPreconditionError,
  GrpcStatusError,
  InvalidArgumentError,
  NotFoundError,
  PermissionDeniedError,
  ResourceExhaustedError,
  UnavailableError,
} from './errors';
import { decodeStatusDetails, encodeStatusDetails, STATUS_DETAILS_KEY } from './status-details';
import { FIELD_METADATA_KEY, fromServiceError, INTERNAL_ERROR_MESSAGE, toStatus } from './status-mapping';

const failOnUnexpected = (error: unknown): never => {
  throw new Error(`unexpected error reported: ${String(error)}`);
};

// Each failure mode, as a handler would throw it.
const cases: Array<[string, GrpcStatusError, status]> = [
  ['InvalidArgumentError', new InvalidArgumentError('guild_id', 'must be a snowflake'), status.INVALID_ARGUMENT],
  ['NotFoundError', new NotFoundError('no such guild'), status.NOT_FOUND],
  ['PermissionDeniedError', new PermissionDeniedError('missing MANAGE_GUILD'), status.PERMISSION_DENIED],
  ['AlreadyExistsError', new AlreadyExistsError('role exists'), status.ALREADY_EXISTS],
  ['FailedPreconditionError', new FailedPreconditionError('guild is not owned here'), status.FAILED_PRECONDITION],
  ['UnavailableError', new UnavailableError('draining', { retryAfterMs: 250 }), status.UNAVAILABLE],
  ['ResourceExhaustedError', new ResourceExhaustedError('rate limited', { retryAfterMs: 1500 }), status.RESOURCE_EXHAUSTED],
];

describe('grpc – status mapping', () => {
  it.each(cases)('%s maps to its status code and back to the same class', (name, error, code) => {
    const sent = toStatus(error, failOnUnexpected);
    expect(sent.code).toBe(code);
    const received = fromServiceError(sent);
    expect(received.constructor).toBe(error.constructor);
    expect(received.name).toBe(name);
    expect(received.message).toBe(error.message);
    expect(received.cause).toBe(sent);
  });

  it('InvalidArgumentError carries its field in x-field and in a google.rpc.BadRequest detail', () => {
    const sent = toStatus(new InvalidArgumentError('channel.name', 'too long'), failOnUnexpected);
    expect(sent.details).toBe('channel.name: too long');
    expect(sent.metadata.get(FIELD_METADATA_KEY)).toEqual(['channel.name']);
    const raw = sent.metadata.get(STATUS_DETAILS_KEY)[0] as Buffer;
    expect(decodeStatusDetails(raw).fieldViolations).toEqual([{ field: 'channel.name', description: 'too long' }]);
    const received = fromServiceError(sent) as InvalidArgumentError;
    expect(received).toBeInstanceOf(InvalidArgumentError);
    expect(received.field).toBe('channel.name');
    expect(received.description).toBe('too long');
  });

  it('an INVALID_ARGUMENT with only the x-field trailer still names the field', () => {
    const metadata = new Metadata();
    metadata.set(FIELD_METADATA_KEY, 'user_id');
    const received = fromServiceError({ code: status.INVALID_ARGUMENT, details: 'user_id: empty', metadata });
    expect(received).toBeInstanceOf(InvalidArgumentError);
    expect((received as InvalidArgumentError).field).toBe('user_id');
    expect((received as InvalidArgumentError).description).toBe('empty');
  });

  it('retryAfterMs survives the trip as google.rpc.RetryInfo', () => {
    const sent = toStatus(new ResourceExhaustedError('slow down', { retryAfterMs: 2_345 }), failOnUnexpected);
    expect((fromServiceError(sent) as ResourceExhaustedError).retryAfterMs).toBe(2_345);
    const bare = toStatus(new ResourceExhaustedError('quota gone'), failOnUnexpected);
    expect(bare.metadata.get(STATUS_DETAILS_KEY)).toEqual([]);
    expect((fromServiceError(bare) as ResourceExhaustedError).retryAfterMs).toBeUndefined();
  });

  it('an unclassified error becomes INTERNAL with a generic message and is reported', () => {
    const reported: unknown[] = [];
    const secret = new Error('connection to postgres://admin:hunter2@db failed');
    const sent = toStatus(secret, (error) => reported.push(error));
    expect(sent).toMatchObject({ code: status.INTERNAL, details: INTERNAL_ERROR_MESSAGE });
    expect(reported).toEqual([secret]);
  });

  it('a status without a class of its own stays a GrpcStatusError with its code', () => {
    const received = fromServiceError({ code: status.ABORTED, details: 'conflict', metadata: new Metadata() });
    expect(received).toBeInstanceOf(GrpcStatusError);
    expect(received.code).toBe(status.ABORTED);
  });

  it('status details decode what they encode and skip unknown detail types', () => {
    const bytes = encodeStatusDetails(3, 'bad', {
      fieldViolations: [
        { field: 'a', description: 'x' },
        { field: 'b', description: 'y' },
      ],
      retryAfterMs: 1_001,
    });
    expect(decodeStatusDetails(bytes)).toEqual({
      fieldViolations: [
        { field: 'a', description: 'x' },
        { field: 'b', description: 'y' },
      ],
      retryAfterMs: 1_001,
    });
  });
});
