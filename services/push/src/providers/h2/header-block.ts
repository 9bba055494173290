// The header blocks of our requests, as fields encoded by the stateless HPACK encoder. A field's
// encoding is reused while it keeps its value: the method, scheme, authority, FCM's path, the
// bearer token and the APNs topic repeat on every request of a connection.
import { encodeHeaderField } from './hpack';
import type { HeaderList } from './hpack';

/** A dynamic table size update to 0: we never index, whatever size the peer's SETTINGS allow. */
const TABLE_SIZE_ZERO = Buffer.from([0x20]);

export class RequestHeaderEncoder {
  private readonly cache = new Map<string, { value: string; bytes: Buffer }>();
  private first = true;

  /** The encoded fields of one request's block, in order (the connection's first block starts with a size update). */
  block(method: string, scheme: string, authority: string, path: string, headers: HeaderList, contentLength: number | undefined): Buffer[] {
    const fields: Buffer[] = [];
    if (this.first) {
      this.first = false;
      fields.push(TABLE_SIZE_ZERO);
    }
    fields.push(this.field(':method', method), this.field(':scheme', scheme), this.field(':authority', authority), this.field(':path', path));
    for (const [name, value] of headers) fields.push(this.field(name, value));
    if (contentLength !== undefined) fields.push(this.field('content-length', String(contentLength)));
    return fields;
  }

  private field(name: string, value: string): Buffer {
    const cached = this.cache.get(name);
    if (cached && cached.value === value) return cached.bytes;
    const bytes = encodeHeaderField(name, value);
    this.cache.set(name, { value, bytes });
    return bytes;
  }
}
