import { assertEnvelope, frameLength, joinFrame } from './encoding';
import { DecodeError } from './errors';

describe('encoding helpers', () => {
  it('accepts an object envelope with an integer op, whatever else it carries', () => {
    const payload = { op: 6, d: { seq: 3 }, extra: true };
    expect(assertEnvelope(payload)).toBe(payload);
  });

  it.each([null, 1, 'op', [], [{ op: 1 }], {}, { op: null }, { op: '2' }, { op: 2.5 }, { op: Number.NaN }])('rejects %p with a DecodeError', (value) => {
    expect(() => assertEnvelope(value)).toThrow(DecodeError);
  });

  it('measures and joins frame pieces; a single piece is returned without a copy', () => {
    const one = Buffer.from('{"op":11}');
    expect(joinFrame([one])).toBe(one);
    const pieces = [Buffer.from('{"t":"X","op":0,"d":{},"s":'), Buffer.from('7}')];
    expect(frameLength(pieces)).toBe(29);
    expect(joinFrame(pieces).toString()).toBe('{"t":"X","op":0,"d":{},"s":7}');
  });
});
