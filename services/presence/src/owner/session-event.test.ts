import { PoisonRecordError } from '@switchboard/runtime';
import type { ConsumedRecord } from '@switchboard/runtime';
import { sessionEventBytes } from './owner-test-support';
import type { SessionEventInit } from './owner-test-support';
import { decodeSessionEvent } from './session-event';

function record(value: Buffer): ConsumedRecord {
  return { topic: 't', partition: 0, offset: '0', key: '1', value, headers: {}, timestamp: 5 };
}

const decode = (init: SessionEventInit) => decodeSessionEvent(record(sessionEventBytes(init)));

describe('decodeSessionEvent', () => {
  it('decodes an update with its session presence and the gateway\'s report time', () => {
    const event = decode({ kind: 'updated', userId: 7n, sessionId: 's', gateway: 'gw', platform: 'mobile', status: 'idle', activities: [{ name: 'X', type: 0 }], since: 9, afk: true, at: 8_000_000_000_000 });
    expect(event).toEqual({
      kind: 'updated',
      userId: 7n,
      session: { sessionId: 's', gatewayInstanceId: 'gw', platform: 'mobile', status: 'idle', activities: [{ name: 'X', type: 0 }], since: 9, afk: true, updatedAt: 8_000_000_000_000 },
    });
  });

  it('decodes a disconnect by session and gateway', () => {
    expect(decode({ kind: 'disconnected', userId: 7n, sessionId: 's', gateway: 'gw' })).toEqual({ kind: 'disconnected', userId: 7n, sessionId: 's', gatewayInstanceId: 'gw' });
  });

  it.each([
    ['bytes that are no protobuf', record(Buffer.from([0xff, 0xff, 0xff]))],
    ['no user id', record(sessionEventBytes({ kind: 'connected', userId: 0n, sessionId: 's' }))],
    ['no session id', record(sessionEventBytes({ kind: 'connected', userId: 1n, sessionId: '' }))],
    ['an unknown status', record(sessionEventBytes({ kind: 'updated', userId: 1n, sessionId: 's', status: 'busy' }))],
    ['an unknown platform', record(sessionEventBytes({ kind: 'updated', userId: 1n, sessionId: 's', platform: 'watch' }))],
  ])('rejects %s as poison', (_what, bad) => {
    expect(() => decodeSessionEvent(bad)).toThrow(PoisonRecordError);
  });

  it('rejects activities that are not a JSON array as poison', () => {
    const bytes = sessionEventBytes({ kind: 'updated', userId: 1n, sessionId: 's' });
    const text = bytes.toString('latin1').replace('[]', '{}');
    expect(() => decodeSessionEvent(record(Buffer.from(text, 'latin1')))).toThrow(PoisonRecordError);
  });
});
