// HTTP/2 framing (RFC 9113 §4 and §6): the frame header, the frame types and flags the push client
// uses, error codes, and an incremental reader that cuts a byte stream into frames.

export const CONNECTION_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
export const FRAME_HEADER_BYTES = 9;
/** SETTINGS_MAX_FRAME_SIZE until the peer says otherwise, and the largest frame we accept. */
export const DEFAULT_MAX_FRAME_SIZE = 16_384;
export const DEFAULT_WINDOW = 65_535;
export const MAX_WINDOW = 2 ** 31 - 1;
export const MAX_STREAM_ID = 2 ** 31 - 1;

export const FrameType = {
  DATA: 0x0,
  HEADERS: 0x1,
  PRIORITY: 0x2,
  RST_STREAM: 0x3,
  SETTINGS: 0x4,
  PUSH_PROMISE: 0x5,
  PING: 0x6,
  GOAWAY: 0x7,
  WINDOW_UPDATE: 0x8,
  CONTINUATION: 0x9,
} as const;

export const Flag = {
  END_STREAM: 0x1,
  ACK: 0x1,
  END_HEADERS: 0x4,
  PADDED: 0x8,
  PRIORITY: 0x20,
} as const;

export const Setting = {
  HEADER_TABLE_SIZE: 0x1,
  ENABLE_PUSH: 0x2,
  MAX_CONCURRENT_STREAMS: 0x3,
  INITIAL_WINDOW_SIZE: 0x4,
  MAX_FRAME_SIZE: 0x5,
  MAX_HEADER_LIST_SIZE: 0x6,
} as const;

export const ErrorCode = {
  NO_ERROR: 0x0,
  PROTOCOL_ERROR: 0x1,
  INTERNAL_ERROR: 0x2,
  FLOW_CONTROL_ERROR: 0x3,
  SETTINGS_TIMEOUT: 0x4,
  STREAM_CLOSED: 0x5,
  FRAME_SIZE_ERROR: 0x6,
  REFUSED_STREAM: 0x7,
  CANCEL: 0x8,
  COMPRESSION_ERROR: 0x9,
  CONNECT_ERROR: 0xa,
  ENHANCE_YOUR_CALM: 0xb,
  INADEQUATE_SECURITY: 0xc,
  HTTP_1_1_REQUIRED: 0xd,
} as const;

/** A connection error (RFC 9113 §5.4.1): the connection ends with GOAWAY carrying `code`. */
export class H2ProtocolError extends Error {
  constructor(
    message: string,
    readonly code: number = ErrorCode.PROTOCOL_ERROR,
  ) {
    super(message);
    this.name = 'H2ProtocolError';
  }
}

export function writeFrameHeader(target: Buffer, offset: number, length: number, type: number, flags: number, streamId: number): void {
  target[offset] = (length >>> 16) & 0xff;
  target[offset + 1] = (length >>> 8) & 0xff;
  target[offset + 2] = length & 0xff;
  target[offset + 3] = type;
  target[offset + 4] = flags;
  target.writeUInt32BE(streamId & MAX_STREAM_ID, offset + 5);
}

/** A frame with `payload` (copied). */
export function frame(type: number, flags: number, streamId: number, payload?: Uint8Array): Buffer {
  const length = payload?.length ?? 0;
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + length);
  writeFrameHeader(out, 0, length, type, flags, streamId);
  if (payload && length > 0) out.set(payload, FRAME_HEADER_BYTES);
  return out;
}

export const SETTINGS_ACK = Buffer.from([0, 0, 0, FrameType.SETTINGS, Flag.ACK, 0, 0, 0, 0]);

/** A SETTINGS payload's (identifier, value) pairs. */
export function parseSettings(payload: Buffer): Array<[id: number, value: number]> {
  if (payload.length % 6 !== 0) throw new H2ProtocolError('a SETTINGS frame of a wrong length', ErrorCode.FRAME_SIZE_ERROR);
  const settings: Array<[number, number]> = [];
  for (let offset = 0; offset < payload.length; offset += 6) settings.push([payload.readUInt16BE(offset), payload.readUInt32BE(offset + 2)]);
  return settings;
}

/** One DATA frame with `length` bytes of `body` from `offset`. */
export function dataFrame(streamId: number, body: Buffer, offset: number, length: number, endStream: boolean): Buffer {
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + length);
  writeFrameHeader(out, 0, length, FrameType.DATA, endStream ? Flag.END_STREAM : 0, streamId);
  body.copy(out, FRAME_HEADER_BYTES, offset, offset + length);
  return out;
}

/**
 * The HEADERS frame of a header block given as its fields (one buffer, the common case), or
 * HEADERS and CONTINUATION frames when the block is longer than the peer's frame size.
 */
export function headersFrames(streamId: number, fields: Buffer[], endStream: boolean, maxFrameSize: number): Buffer[] {
  let length = 0;
  for (const field of fields) length += field.length;
  const endFlag = endStream ? Flag.END_STREAM : 0;
  if (length <= maxFrameSize) {
    const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + length);
    writeFrameHeader(out, 0, length, FrameType.HEADERS, Flag.END_HEADERS | endFlag, streamId);
    let offset = FRAME_HEADER_BYTES;
    for (const field of fields) offset += field.copy(out, offset);
    return [out];
  }
  const block = Buffer.concat(fields);
  const frames: Buffer[] = [];
  for (let offset = 0; offset < block.length; offset += maxFrameSize) {
    const end = Math.min(block.length, offset + maxFrameSize);
    const type = offset === 0 ? FrameType.HEADERS : FrameType.CONTINUATION;
    const flags = (end === block.length ? Flag.END_HEADERS : 0) | (offset === 0 ? endFlag : 0);
    frames.push(frame(type, flags, streamId, block.subarray(offset, end)));
  }
  return frames;
}

export function settingsFrame(settings: Array<[id: number, value: number]>): Buffer {
  const payload = Buffer.allocUnsafe(settings.length * 6);
  settings.forEach(([id, value], i) => {
    payload.writeUInt16BE(id, i * 6);
    payload.writeUInt32BE(value, i * 6 + 2);
  });
  return frame(FrameType.SETTINGS, 0, 0, payload);
}

export function pingAckFrame(payload: Uint8Array): Buffer {
  return frame(FrameType.PING, Flag.ACK, 0, payload);
}

export function windowUpdateFrame(streamId: number, increment: number): Buffer {
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + 4);
  writeFrameHeader(out, 0, 4, FrameType.WINDOW_UPDATE, 0, streamId);
  out.writeUInt32BE(increment, FRAME_HEADER_BYTES);
  return out;
}

export function rstStreamFrame(streamId: number, code: number): Buffer {
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + 4);
  writeFrameHeader(out, 0, 4, FrameType.RST_STREAM, 0, streamId);
  out.writeUInt32BE(code, FRAME_HEADER_BYTES);
  return out;
}

export function goawayFrame(lastStreamId: number, code: number, debug = ''): Buffer {
  const text = Buffer.from(debug, 'utf8');
  const payload = Buffer.allocUnsafe(8 + text.length);
  payload.writeUInt32BE(lastStreamId & MAX_STREAM_ID, 0);
  payload.writeUInt32BE(code, 4);
  text.copy(payload, 8);
  return frame(FrameType.GOAWAY, 0, 0, payload);
}

export interface Frame {
  type: number;
  flags: number;
  streamId: number;
  /** A view into the reader's buffer: valid until the next push(); copy what must outlive it. */
  payload: Buffer;
}

/**
 * Cuts received bytes into frames. push() returns the complete frames the bytes finished (views
 * into the received chunks, copied only when a frame straddles two chunks); a frame longer than
 * `maxFrameSize` is a FRAME_SIZE_ERROR.
 */
export class FrameReader {
  private pending: Buffer | undefined;

  constructor(private readonly maxFrameSize = DEFAULT_MAX_FRAME_SIZE) {}

  push(chunk: Buffer, onFrame: (frame: Frame) => void): void {
    let buf = chunk;
    if (this.pending) {
      buf = Buffer.concat([this.pending, chunk]);
      this.pending = undefined;
    }
    let offset = 0;
    while (buf.length - offset >= FRAME_HEADER_BYTES) {
      const length = (buf[offset]! << 16) | (buf[offset + 1]! << 8) | buf[offset + 2]!;
      if (length > this.maxFrameSize) throw new H2ProtocolError(`a frame of ${length} bytes (limit ${this.maxFrameSize})`, ErrorCode.FRAME_SIZE_ERROR);
      const end = offset + FRAME_HEADER_BYTES + length;
      if (end > buf.length) break;
      onFrame({
        type: buf[offset + 3]!,
        flags: buf[offset + 4]!,
        streamId: buf.readUInt32BE(offset + 5) & MAX_STREAM_ID,
        payload: buf.subarray(offset + FRAME_HEADER_BYTES, end),
      });
      offset = end;
    }
    // Keep the tail of an incomplete frame (a copy: the chunk's memory is not ours to hold).
    if (offset < buf.length) this.pending = Buffer.from(buf.subarray(offset));
  }
}

/** The payload of a HEADERS or DATA frame without its padding (and HEADERS' priority fields). */
export function unpad(frame: Frame): Buffer {
  let { payload } = frame;
  let start = 0;
  let padLength = 0;
  if (frame.flags & Flag.PADDED) {
    if (payload.length < 1) throw new H2ProtocolError('a PADDED frame without its pad length');
    padLength = payload[0]!;
    start = 1;
  }
  if (frame.type === FrameType.HEADERS && frame.flags & Flag.PRIORITY) start += 5;
  if (start + padLength > payload.length) throw new H2ProtocolError('padding longer than the frame');
  payload = payload.subarray(start, payload.length - padLength);
  return payload;
}
