import { pushBody, truncate } from './push-trigger';

describe('fanout – push notification text', () => {
  it('keeps content up to 200 characters and cuts longer content with an ellipsis', () => {
    expect(pushBody({ content: 'a'.repeat(200) })).toBe('a'.repeat(200));
    expect(pushBody({ content: 'a'.repeat(201) })).toBe(`${'a'.repeat(199)}…`);
  });

  it('never cuts an emoji in half', () => {
    const cut = truncate('😀'.repeat(5), 3);
    expect(cut).toBe('😀😀…');
  });

  it.each([
    [{ content: '', attachments: [{ id: '1' }] }, 'sent an attachment'],
    [{ content: '', embeds: [{}] }, 'sent an embed'],
    [{ sticker_items: [{ id: '1' }] }, 'sent a sticker'],
    [{}, 'sent a message'],
  ])('says what was sent when there is no text (%j)', (payload, body) => {
    expect(pushBody(payload)).toBe(body);
  });
});
