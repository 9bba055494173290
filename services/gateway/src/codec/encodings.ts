// Encoding by name: both encodings are stateless, so every connection shares one instance.
import type { Encoding } from './encoding';
import { etfEncoding } from './etf-encoding';
import type { EncodingName } from './gateway-query';
import { jsonEncoding } from './json-encoding';

export const ENCODING_BY_NAME: Readonly<Record<EncodingName, Encoding>> = { json: jsonEncoding, etf: etfEncoding };

/** The encoding for a connection's `encoding=` value. */
export function encodingFor(name: EncodingName): Encoding {
  return ENCODING_BY_NAME[name];
}
