import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire';

// Rich error details in the standard `grpc-status-details-bin` trailer: a google.rpc.Status
// holding google.rpc.BadRequest (which field was invalid) and google.rpc.RetryInfo (when a
// retry is safe). grpcurl and other languages' clients decode these. The three messages are
// tiny and frozen, so they are encoded by hand here rather than vendoring googleapis protos
// into proto/ (their package layout cannot pass buf's STANDARD lint).

export const STATUS_DETAILS_KEY = 'grpc-status-details-bin';

const BAD_REQUEST_TYPE = 'type.googleapis.com/google.rpc.BadRequest';
const RETRY_INFO_TYPE = 'type.googleapis.com/google.rpc.RetryInfo';

export interface FieldViolation {
  field: string;
  description: string;
}

export interface StatusDetails {
  fieldViolations: FieldViolation[];
  retryAfterMs: number | undefined;
}

export function encodeStatusDetails(code: number, message: string, details: StatusDetails): Uint8Array {
  const writer = new BinaryWriter();
  writer.tag(1, WireType.Varint).int32(code).tag(2, WireType.LengthDelimited).string(message);
  if (details.fieldViolations.length > 0) {
    writeAny(writer, BAD_REQUEST_TYPE, encodeBadRequest(details.fieldViolations));
  }
  if (details.retryAfterMs !== undefined) {
    writeAny(writer, RETRY_INFO_TYPE, encodeRetryInfo(details.retryAfterMs));
  }
  return writer.finish();
}

/** Decodes what this module encodes; unknown detail types and fields are skipped. */
export function decodeStatusDetails(bytes: Uint8Array): StatusDetails {
  const details: StatusDetails = { fieldViolations: [], retryAfterMs: undefined };
  const reader = new BinaryReader(bytes);
  while (reader.pos < reader.len) {
    const [fieldNo, wireType] = reader.tag();
    if (fieldNo !== 3 || wireType !== WireType.LengthDelimited) {
      reader.skip(wireType);
      continue;
    }
    const any = readAny(reader.bytes());
    if (any.typeUrl === BAD_REQUEST_TYPE) {
      details.fieldViolations.push(...decodeBadRequest(any.value));
    } else if (any.typeUrl === RETRY_INFO_TYPE) {
      details.retryAfterMs = decodeRetryInfo(any.value);
    }
  }
  return details;
}

function writeAny(writer: BinaryWriter, typeUrl: string, value: Uint8Array): void {
  writer.tag(3, WireType.LengthDelimited).fork();
  writer.tag(1, WireType.LengthDelimited).string(typeUrl).tag(2, WireType.LengthDelimited).bytes(value);
  writer.join();
}

function readAny(bytes: Uint8Array): { typeUrl: string; value: Uint8Array } {
  const reader = new BinaryReader(bytes);
  let typeUrl = '';
  let value: Uint8Array = new Uint8Array();
  while (reader.pos < reader.len) {
    const [fieldNo, wireType] = reader.tag();
    if (fieldNo === 1 && wireType === WireType.LengthDelimited) typeUrl = reader.string();
    else if (fieldNo === 2 && wireType === WireType.LengthDelimited) value = reader.bytes();
    else reader.skip(wireType);
  }
  return { typeUrl, value };
}

// BadRequest { repeated FieldViolation field_violations = 1; }
// FieldViolation { string field = 1; string description = 2; }
function encodeBadRequest(violations: readonly FieldViolation[]): Uint8Array {
  const writer = new BinaryWriter();
  for (const violation of violations) {
    writer.tag(1, WireType.LengthDelimited).fork();
    writer.tag(1, WireType.LengthDelimited).string(violation.field);
    writer.tag(2, WireType.LengthDelimited).string(violation.description);
    writer.join();
  }
  return writer.finish();
}

function decodeBadRequest(bytes: Uint8Array): FieldViolation[] {
  const violations: FieldViolation[] = [];
  const reader = new BinaryReader(bytes);
  while (reader.pos < reader.len) {
    const [fieldNo, wireType] = reader.tag();
    if (fieldNo !== 1 || wireType !== WireType.LengthDelimited) {
      reader.skip(wireType);
      continue;
    }
    const inner = new BinaryReader(reader.bytes());
    const violation: FieldViolation = { field: '', description: '' };
    while (inner.pos < inner.len) {
      const [innerNo, innerType] = inner.tag();
      if (innerNo === 1 && innerType === WireType.LengthDelimited) violation.field = inner.string();
      else if (innerNo === 2 && innerType === WireType.LengthDelimited) violation.description = inner.string();
      else inner.skip(innerType);
    }
    violations.push(violation);
  }
  return violations;
}

// RetryInfo { google.protobuf.Duration retry_delay = 1; }
// Duration { int64 seconds = 1; int32 nanos = 2; }
function encodeRetryInfo(delayMs: number): Uint8Array {
  const ms = Math.max(0, Math.round(delayMs));
  const writer = new BinaryWriter();
  writer.tag(1, WireType.LengthDelimited).fork();
  writer.tag(1, WireType.Varint).int64(Math.floor(ms / 1000));
  writer.tag(2, WireType.Varint).int32((ms % 1000) * 1_000_000);
  writer.join();
  return writer.finish();
}

function decodeRetryInfo(bytes: Uint8Array): number | undefined {
  const reader = new BinaryReader(bytes);
  let delayMs: number | undefined;
  while (reader.pos < reader.len) {
    const [fieldNo, wireType] = reader.tag();
    if (fieldNo !== 1 || wireType !== WireType.LengthDelimited) {
      reader.skip(wireType);
      continue;
    }
    const duration = new BinaryReader(reader.bytes());
    let seconds = 0;
    let nanos = 0;
    while (duration.pos < duration.len) {
      const [durationNo, durationType] = duration.tag();
      if (durationNo === 1 && durationType === WireType.Varint) seconds = Number(duration.int64());
      else if (durationNo === 2 && durationType === WireType.Varint) nanos = duration.int32();
      else duration.skip(durationType);
    }
    delayMs = seconds * 1000 + Math.round(nanos / 1_000_000);
  }
  return delayMs;
}
