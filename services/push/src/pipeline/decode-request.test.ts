import { isPoisonRecordError, PoisonRecordError } from '@switchboard/runtime';
import { decodePushRequest } from './decode-request';
import { requestBytes } from './__tests__/fakes';

const valid = { requestId: '900:42', userId: '42', title: 'hi', guildId: '7', data: { k: 'v' } };

function poisonReason(value: Buffer): string {
  try {
    decodePushRequest({ value });
  } catch (err) {
    expect(err).toBeInstanceOf(PoisonRecordError);
    expect(isPoisonRecordError(err)).toBe(true);
    return (err as Error).message;
  }
  throw new Error('expected a PoisonRecordError');
}

describe('decodePushRequest', () => {
  it('decodes a valid request with its user id as a bigint', () => {
    const decoded = decodePushRequest({ value: requestBytes(valid) });
    expect(decoded.userId).toBe(42n);
    expect(decoded.requestId).toBe('900:42');
    expect(decoded.request.title).toBe('hi');
    expect(decoded.request.data).toEqual({ k: 'v' });
  });

  it('keeps snowflakes above 2^53 exact', () => {
    expect(decodePushRequest({ value: requestBytes({ ...valid, userId: '1234567890123456789' }) }).userId).toBe(1234567890123456789n);
  });

  it('rejects undecodable bytes as poison', () => {
    expect(poisonReason(Buffer.from([0xff, 0xff, 0xff, 0xff]))).toMatch(/undecodable PushRequest/);
  });

  it('rejects a missing request_id as poison naming the field', () => {
    expect(poisonReason(requestBytes({ ...valid, requestId: '' }))).toMatch(/request_id/);
  });

  it('rejects an overlong request_id as poison', () => {
    expect(poisonReason(requestBytes({ ...valid, requestId: 'x'.repeat(129) }))).toMatch(/request_id/);
  });

  it.each([[''], ['0'], ['abc'], ['-1'], ['99999999999999999999999']])('rejects user_id %j as poison', (userId) => {
    expect(poisonReason(requestBytes({ ...valid, userId }))).toMatch(/user_id/);
  });

  it('rejects an id field that is set but not a snowflake', () => {
    expect(poisonReason(requestBytes({ ...valid, channelId: 'general' }))).toMatch(/channel_id "general"/);
  });
});
