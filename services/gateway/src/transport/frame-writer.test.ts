// Hand-built frames must be exactly what a WebSocket client parses: checked with ws's own
// Receiver (the parser every Node client uses) for each length class and for pieced payloads.
import * as ws from 'ws';
import type { EventEmitter } from 'node:events';
import { buildFrames, OPCODE_BINARY, OPCODE_TEXT } from './frame-writer';

function parse(bytes: Buffer): { data: Buffer; binary: boolean }[] {
  const messages: { data: Buffer; binary: boolean }[] = [];
  const { Receiver } = ws as unknown as { Receiver: new (options: object) => NodeJS.WritableStream & EventEmitter };
  const receiver = new Receiver({ isServer: false, maxPayload: 0 });
  receiver.on('message', (data: Buffer, binary: boolean) => messages.push({ data: Buffer.from(data), binary }));
  receiver.on('error', (err: Error) => {
    throw err;
  });
  receiver.write(bytes);
  return messages;
}

describe('frame writer', () => {
  it.each([0, 1, 125, 126, 65_535, 65_536, 200_000])('builds a frame ws parses back, for a %i-byte payload', (length) => {
    const payload = Buffer.alloc(length, 0x61);
    const [message] = parse(buildFrames([payload], [OPCODE_BINARY]));
    expect(message!.binary).toBe(true);
    expect(message!.data.equals(payload)).toBe(true);
  });

  it('puts several frames, text and binary, whole or in pieces, in one buffer in order', () => {
    const frames = buildFrames(
      [Buffer.from('{"op":11}'), [Buffer.from('{"t":"X","op":0,"d":{},"s":'), Buffer.from('7}')], Buffer.from([1, 2, 3])],
      [OPCODE_TEXT, OPCODE_TEXT, OPCODE_BINARY],
    );
    expect(parse(frames).map((m) => [m.binary, m.binary ? [...m.data] : m.data.toString()])).toEqual([
      [false, '{"op":11}'],
      [false, '{"t":"X","op":0,"d":{},"s":7}'],
      [true, [1, 2, 3]],
    ]);
  });
});
