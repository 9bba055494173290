// EncodedDispatch.payloadJson: `d` back as JSON text from any shape, for cross-instance resume.
import { etfEncoding } from './etf-encoding';
import { jsonEncoding } from './json-encoding';
import { PayloadCompressor } from './payload-compression';
import type { JsonDispatch } from './dispatch-frame';

const d = { id: '1', content: 'tricky ,"s": inside and "quotes" \u00e9\u{1f600}', nested: { s: 3, list: [1, null, true] } };

describe('EncodedDispatch.payloadJson', () => {
  it('slices d out of the shared JSON head (nothing else kept)', () => {
    expect(JSON.parse(jsonEncoding.encodeDispatch('MESSAGE_CREATE', d).payloadJson())).toEqual(d);
    expect(jsonEncoding.encodeDispatch('WEIRD"T', null).payloadJson()).toBe('null');
  });

  it('inflates a payload-compressed dispatch', () => {
    const compressor = new PayloadCompressor({ minBytes: 0, level: 6 });
    const big = { ...d, padding: 'x'.repeat(2000) };
    const compressed = compressor.compressDispatch(jsonEncoding.encodeDispatch('MESSAGE_CREATE', big) as JsonDispatch);
    expect(compressed.binary).toBe(true);
    expect(JSON.parse(compressed.payloadJson())).toEqual(big);
    compressor.close();
  });

  it('serialises the source payload an ETF dispatch was packed from', () => {
    const dispatch = etfEncoding.encodeDispatch('MESSAGE_CREATE', d);
    expect(dispatch.source).toBe(d); // a reference, not a copy
    expect(JSON.parse(dispatch.payloadJson())).toEqual(d);
  });
});
