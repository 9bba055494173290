// Server-to-client WebSocket frames (RFC 6455 §5.2: FIN, opcode, unmasked length) built by hand,
// every frame a connection has for this event-loop turn in ONE buffer, handed to the socket in one
// write. ws's Sender would allocate a header per message and issue a corked writev of 2n pieces;
// on these VMs the per-delivery cost is dominated by that path. Only used with permessage-deflate
// off (the gateway never negotiates it), where ws's Sender keeps no state between messages, so
// frames written here and ws's own control frames (close, pong) interleave correctly.

export const OPCODE_TEXT = 0x1;
export const OPCODE_BINARY = 0x2;

/** Bytes of the header of an unmasked frame carrying `length` payload bytes. */
export function headerLength(length: number): number {
  return length < 126 ? 2 : length < 65_536 ? 4 : 10;
}

/** Writes a FIN frame header at `offset`; returns the offset after it. */
export function writeHeader(target: Buffer, offset: number, opcode: number, length: number): number {
  target[offset] = 0x80 | opcode;
  if (length < 126) {
    target[offset + 1] = length;
    return offset + 2;
  }
  if (length < 65_536) {
    target[offset + 1] = 126;
    target.writeUInt16BE(length, offset + 2);
    return offset + 4;
  }
  target[offset + 1] = 127;
  target.writeUInt32BE(Math.floor(length / 0x1_0000_0000), offset + 2);
  target.writeUInt32BE(length >>> 0, offset + 6);
  return offset + 10;
}

/** A frame's payload: one buffer, or the pieces of a shared dispatch plus its seq tail. */
export type FramePayload = Buffer | readonly Buffer[];

function payloadLength(payload: FramePayload): number {
  if (Buffer.isBuffer(payload)) return payload.length;
  let total = 0;
  for (const piece of payload) total += piece.length;
  return total;
}

/** Concatenates whole WebSocket frames (one per payload) into a single buffer. */
export function buildFrames(payloads: readonly FramePayload[], opcodes: readonly number[]): Buffer {
  let total = 0;
  const lengths = new Array<number>(payloads.length);
  for (let i = 0; i < payloads.length; i += 1) {
    const length = payloadLength(payloads[i]!);
    lengths[i] = length;
    total += headerLength(length) + length;
  }
  const out = Buffer.allocUnsafe(total);
  let offset = 0;
  for (let i = 0; i < payloads.length; i += 1) {
    offset = writeHeader(out, offset, opcodes[i]!, lengths[i]!);
    const payload = payloads[i]!;
    if (Buffer.isBuffer(payload)) offset += payload.copy(out, offset);
    else for (const piece of payload) offset += piece.copy(out, offset);
  }
  return out;
}
