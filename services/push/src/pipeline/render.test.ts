import { create } from '@bufbuild/protobuf';
import { pushV1 } from '@switchboard/proto';
import type { PushRequestMessage } from './decode-request';
import { DEFAULT_RENDER_LIMITS, estimatePayloadBytes, MAX_COLLAPSE_ID_BYTES, renderNotification } from './render';
import { ELLIPSIS, utf8Length } from './truncate-utf8';
import type { RequestInit } from './__tests__/fakes';

function message(init: RequestInit): PushRequestMessage {
  const request = create(pushV1.PushRequestSchema, { requestId: '900:42', userId: '42', ...init });
  return { request, requestId: request.requestId, userId: BigInt(request.userId) };
}

const budget = DEFAULT_RENDER_LIMITS.payloadMaxBytes - DEFAULT_RENDER_LIMITS.payloadReserveBytes;

describe('renderNotification', () => {
  it('passes title, body, ids and extra data through when they fit', () => {
    const n = renderNotification(
      message({ title: 'Ann in #general', body: 'hello', guildId: '1', channelId: '2', messageId: '3', authorId: '4', collapseKey: '2', data: { kind: 'mention' } }),
    );
    expect(n).toEqual({
      title: 'Ann in #general',
      body: 'hello',
      collapseId: '2',
      data: { guild_id: '1', channel_id: '2', message_id: '3', author_id: '4', kind: 'mention' },
    });
  });

  it('passes the badge through when non-zero only', () => {
    expect(renderNotification(message({ badge: 3 })).badge).toBe(3);
    expect(renderNotification(message({ badge: 0 }))).not.toHaveProperty('badge');
  });

  it('omits empty ids', () => {
    expect(renderNotification(message({ channelId: '2' })).data).toEqual({ channel_id: '2' });
  });

  it('truncates the title to 256 and the body to 1024 bytes of UTF-8 with an ellipsis', () => {
    const n = renderNotification(message({ title: '日'.repeat(100), body: '😀'.repeat(300) }));
    expect(utf8Length(n.title)).toBeLessThanOrEqual(256);
    expect(n.title).toBe(`${'日'.repeat(84)}${ELLIPSIS}`); // 84·3 + 3 = 255: an 85th would not fit
    expect(utf8Length(n.body)).toBeLessThanOrEqual(1024);
    expect(n.body).toBe(`${'😀'.repeat(255)}${ELLIPSIS}`); // 255·4 + 3 = 1023
  });

  it('drops extra data keys the providers reserve or that would shadow the ids', () => {
    const n = renderNotification(
      message({ channelId: '2', data: { from: 'x', 'google.c.a': 'x', 'gcm.n': 'x', aps: 'x', channel_id: 'evil', message_type: 'x', ok: 'y' } }),
    );
    expect(n.data).toEqual({ channel_id: '2', ok: 'y' });
  });

  it('keeps the payload within the limit by dropping the largest extra data first, never the ids', () => {
    const n = renderNotification(
      message({ body: 'b'.repeat(1000), channelId: '2', messageId: '3', data: { big: 'x'.repeat(3000), small: 's', mid: 'm'.repeat(500) } }),
    );
    expect(n.data).toEqual({ channel_id: '2', message_id: '3', small: 's', mid: 'm'.repeat(500) });
    expect(estimatePayloadBytes(n)).toBeLessThanOrEqual(budget);
  });

  it('cuts the body further when escapes alone would overflow the payload', () => {
    // Quotes and control characters double or sextuple in JSON.
    const n = renderNotification(message({ title: '"'.repeat(600), body: '\u0001'.repeat(2000) }), {
      titleMaxBytes: 4000,
      bodyMaxBytes: 4000,
    });
    expect(estimatePayloadBytes(n)).toBeLessThanOrEqual(budget);
    expect(estimatePayloadBytes(n)).toBeGreaterThan(budget - 12); // cut to the limit, not far below it
    expect(n.title).toBe('"'.repeat(600));
    expect(n.body).toMatch(/^\u0001+…$/);
  });

  it('never lets a payload over the limit through, whatever characters it is made of', () => {
    const limits = { payloadMaxBytes: 300, payloadReserveBytes: 0, titleMaxBytes: 4000, bodyMaxBytes: 4000 };
    for (const unit of ['a', '"', '\u0001', '\ud800', '日', '😀']) {
      for (let repeat = 1; repeat <= 120; repeat += 1) {
        const n = renderNotification(message({ title: unit, body: unit.repeat(repeat), badge: 7, channelId: '2', data: { k: unit } }), limits);
        expect(estimatePayloadBytes(n)).toBeLessThanOrEqual(300);
      }
    }
  });

  it('uses the collapse key as collapse id, hashed to at most 64 bytes when longer', () => {
    expect(renderNotification(message({ collapseKey: 'k'.repeat(64) })).collapseId).toBe('k'.repeat(64));
    const long = renderNotification(message({ collapseKey: '日'.repeat(30) })).collapseId; // 90 bytes
    expect(utf8Length(long)).toBeLessThanOrEqual(MAX_COLLAPSE_ID_BYTES);
    expect(long).toBe(renderNotification(message({ collapseKey: '日'.repeat(30) })).collapseId);
    expect(long).not.toBe(renderNotification(message({ collapseKey: '日'.repeat(31) })).collapseId);
  });

  it('falls back to the request id as collapse id without a collapse key', () => {
    expect(renderNotification(message({ collapseKey: '' })).collapseId).toBe('900:42');
  });
});
