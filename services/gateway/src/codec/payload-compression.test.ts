import * as zlib from 'node:zlib';
import { joinFrame } from './encoding';
import { jsonEncoding } from './json-encoding';
import { PayloadCompressor } from './payload-compression';

const big = { guild_id: '81384788765712384', members: Array.from({ length: 50 }, (_, i) => ({ user: { id: `1235178907238531${i}`, username: `member ${i}` } })) };

describe('payload compression', () => {
  it('sends a large dispatch as a zlib stream that inflates to {op: 0, t, s, d} for many seqs', () => {
    const compressor = new PayloadCompressor();
    const dispatch = compressor.compressDispatch(jsonEncoding.encodeDispatch('GUILD_CREATE', big));
    expect(dispatch.binary).toBe(true);
    for (const seq of [0, 1, 9, 10, 255, 256, 65_535, 2 ** 31, 2 ** 32 + 1, Number.MAX_SAFE_INTEGER]) {
      // zlib.inflateSync checks the Adler-32 trailer: a wrong checksum would throw.
      const json = zlib.inflateSync(joinFrame(dispatch.forSeq(seq))).toString('utf8');
      expect(JSON.parse(json)).toEqual({ op: 0, t: 'GUILD_CREATE', s: seq, d: big });
    }
  });

  it('is a real compression: far smaller than the JSON', () => {
    const json = jsonEncoding.encodeDispatch('GUILD_CREATE', big);
    const compressed = new PayloadCompressor().compressDispatch(json);
    expect(joinFrame(compressed.forSeq(1)).length).toBeLessThan(joinFrame(json.forSeq(1)).length / 3);
  });

  it('shares the compressed head between sessions and never changes it', () => {
    const dispatch = new PayloadCompressor().compressDispatch(jsonEncoding.encodeDispatch('GUILD_CREATE', big));
    const head = dispatch.forSeq(1)[0]!;
    const snapshot = Buffer.from(head);
    for (let seq = 0; seq < 300; seq++) expect(dispatch.forSeq(seq)[0]).toBe(head);
    expect(head.equals(snapshot)).toBe(true);
  });

  it('passes small dispatches through as plain JSON text frames', () => {
    const small = jsonEncoding.encodeDispatch('TYPING_START', { user_id: '1' });
    expect(new PayloadCompressor().compressDispatch(small)).toBe(small);
    expect(new PayloadCompressor({ minBytes: 0, level: 6 }).compressDispatch(small).binary).toBe(true);
  });

  it('compresses dispatch after dispatch with one shared context, each an independent stream', () => {
    const compressor = new PayloadCompressor({ minBytes: 0, level: 9 });
    for (let i = 0; i < 20; i++) {
      const d = { i, text: 'x'.repeat(i * 100) };
      const frame = joinFrame(compressor.compressDispatch(jsonEncoding.encodeDispatch('X', d)).forSeq(i));
      expect(JSON.parse(zlib.inflateSync(frame).toString())).toEqual({ op: 0, t: 'X', s: i, d });
    }
    compressor.close();
  });
});
