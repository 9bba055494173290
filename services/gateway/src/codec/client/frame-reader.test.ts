import { createCompressor } from '../compression';
import { encodingFor } from '../encodings';
import { joinFrame } from '../encoding';
import type { EncodingName, TransportCompressionName } from '../gateway-query';
import { PayloadCompressor } from '../payload-compression';
import { jsonEncoding } from '../json-encoding';
import { GatewayFrameReader } from './frame-reader';

const d = { id: '1235178907842511186', content: 'hello there '.repeat(60), author: { id: '1235178907238531115' } };

describe('GatewayFrameReader – reading server frames as a client', () => {
  const modes: [EncodingName, TransportCompressionName | undefined][] = [
    ['json', undefined], ['etf', undefined], ['json', 'zlib-stream'], ['etf', 'zlib-stream'], ['json', 'zstd-stream'], ['etf', 'zstd-stream'],
  ];

  it.each(modes)('%s with %s: HELLO then dispatches decode in order', (encodingName, compression) => {
    const encoding = encodingFor(encodingName);
    const compressor = compression ? createCompressor(compression) : undefined;
    const reader = new GatewayFrameReader({ encoding: encodingName, compression });
    const send = (pieces: readonly Buffer[]) => (compressor ? reader.read(compressor.compress(pieces), true) : reader.read(joinFrame(pieces), encoding.binary));
    expect(send([encoding.encodePayload({ op: 10, d: { heartbeat_interval: 41_250 } })])).toEqual({ t: null, s: null, op: 10, d: { heartbeat_interval: 41_250 } });
    const dispatch = encoding.encodeDispatch('MESSAGE_CREATE', d);
    for (let seq = 1; seq <= 5; seq++) expect(send(dispatch.forSeq(seq))).toEqual({ t: 'MESSAGE_CREATE', op: 0, s: seq, d });
    reader.close();
  });

  it('accepts plain text frames on a compressed connection, as Discord clients do', () => {
    const reader = new GatewayFrameReader({ encoding: 'json', compression: 'zstd-stream' });
    expect(reader.read('{"op":11,"d":null}', false)).toEqual({ op: 11, d: null });
  });

  it('reads payload-compressed (binary) and small plain (text) dispatches', () => {
    const reader = new GatewayFrameReader({ encoding: 'json' });
    const compressor = new PayloadCompressor();
    const large = compressor.compressDispatch(jsonEncoding.encodeDispatch('GUILD_CREATE', d));
    const small = compressor.compressDispatch(jsonEncoding.encodeDispatch('TYPING_START', { user_id: '1' }));
    expect(reader.read(joinFrame(large.forSeq(1)), large.binary)).toEqual({ t: 'GUILD_CREATE', op: 0, s: 1, d });
    expect(reader.read(joinFrame(small.forSeq(2)), small.binary)).toEqual({ t: 'TYPING_START', op: 0, s: 2, d: { user_id: '1' } });
  });
});
