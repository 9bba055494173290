import { unpack } from 'erlpack';
import { EtfDispatch, JsonDispatch } from './dispatch-frame';
import { joinFrame } from './encoding';
import { etfEncoding } from './etf-encoding';
import { jsonEncoding } from './json-encoding';

const message = {
  id: '1235178907842511186',
  channel_id: '1235178907238531099',
  content: 'héllo 👋 <@1235178907238531130>',
  author: { id: '1235178907238531115', username: 'moregood20', avatar: null, bot: false },
  embeds: [],
  mentions: [{ id: '1235178907238531130', roles: ['1', '2'] }],
};

const SEQS = [0, 1, 9, 10, 99, 100, 127, 128, 254, 255, 256, 257, 1000, 65_535, 65_536, 2 ** 24, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 40 + 7, Number.MAX_SAFE_INTEGER];

describe('dispatch frames – JSON', () => {
  it('decodes to {op: 0, t, s, d} with the right seq for every sequence number', () => {
    const dispatch = jsonEncoding.encodeDispatch('MESSAGE_CREATE', message);
    for (const seq of SEQS) {
      expect(JSON.parse(joinFrame(dispatch.forSeq(seq)).toString('utf8'))).toEqual({ op: 0, t: 'MESSAGE_CREATE', s: seq, d: message });
    }
  });

  it('is two pieces: the shared head and the sequence tail', () => {
    const dispatch = jsonEncoding.encodeDispatch('TYPING_START', { user_id: '1' });
    const pieces = dispatch.forSeq(42);
    expect(pieces).toHaveLength(2);
    expect(pieces[0]).toBe(dispatch.head);
    expect(pieces[1]!.toString()).toBe('42}');
    expect(dispatch.binary).toBe(false);
    expect(dispatch.sharedBytes).toBe(dispatch.head.length);
  });

  it('escapes the event name', () => {
    const dispatch = new JsonDispatch('WEIRD"NAME', '{}');
    expect(JSON.parse(joinFrame(dispatch.forSeq(1)).toString())).toEqual({ op: 0, t: 'WEIRD"NAME', s: 1, d: {} });
  });

  it('rejects a negative, fractional or unsafe sequence number', () => {
    const dispatch = jsonEncoding.encodeDispatch('X', null);
    for (const seq of [-1, 1.5, Number.NaN, 2 ** 53]) expect(() => dispatch.forSeq(seq)).toThrow(RangeError);
  });
});

describe('dispatch frames – ETF', () => {
  it('decodes with erlpack.unpack to {op: 0, t, s, d} for every sequence number up to 2^32-1', () => {
    const dispatch = etfEncoding.encodeDispatch('MESSAGE_CREATE', message);
    for (const seq of SEQS.filter((s) => s < 2 ** 32)) {
      expect(unpack(joinFrame(dispatch.forSeq(seq)))).toEqual({ op: 0, t: 'MESSAGE_CREATE', s: seq, d: message });
    }
  });

  it('writes sequence numbers from 2^32 as SMALL_BIG_EXT, which erlpack reads as a decimal string', () => {
    const dispatch = etfEncoding.encodeDispatch('X', {});
    for (const seq of [2 ** 32, 2 ** 40 + 7, Number.MAX_SAFE_INTEGER]) {
      const decoded = unpack(joinFrame(dispatch.forSeq(seq))) as { s: unknown };
      expect(decoded.s).toBe(String(seq));
    }
  });

  it('decodes with the gateway\'s own ETF decoder too', () => {
    const dispatch = etfEncoding.encodeDispatch('MESSAGE_CREATE', message);
    for (const seq of SEQS.filter((s) => s < 2 ** 31)) {
      expect(etfEncoding.decode(joinFrame(dispatch.forSeq(seq)))).toEqual({ op: 0, t: 'MESSAGE_CREATE', s: seq, d: message });
    }
  });

  it('accepts erlpack output with or without its version byte', () => {
    const a = new EtfDispatch('X', Buffer.from([131, 97, 5]));
    const b = new EtfDispatch('X', Buffer.from([97, 5]));
    expect(a.head.equals(b.head)).toBe(true);
    expect(unpack(joinFrame(a.forSeq(3)))).toEqual({ t: 'X', op: 0, d: 5, s: 3 });
    expect(a.binary).toBe(true);
  });
});

describe('dispatch frames – shared bytes', () => {
  it.each([
    ['json', jsonEncoding],
    ['etf', etfEncoding],
  ] as const)('%s: stamping many sessions never changes the shared head, and tails are independent', (_name, encoding) => {
    const dispatch = encoding.encodeDispatch('MESSAGE_CREATE', message);
    const [head] = dispatch.forSeq(1);
    const snapshot = Buffer.from(head!);
    const frames = Array.from({ length: 500 }, (_, i) => dispatch.forSeq(i * 977));
    for (const frame of frames) expect(frame[0]).toBe(head);
    expect(head!.equals(snapshot)).toBe(true);
    // A tail handed to one session is its own bytes: later stamping does not overwrite it.
    const decodedSeqs = frames.map((frame) => encoding.decode(joinFrame(frame)).s);
    expect(decodedSeqs).toEqual(frames.map((_, i) => i * 977));
  });
});
