// Adler-32 (RFC 1950), the checksum that ends a zlib stream. Kept incremental so a payload-
// compressed dispatch can checksum its shared bytes once and only the sequence digits per session.

const MOD = 65521;
/** Largest run of bytes whose sums cannot overflow 2^53 before reducing (zlib uses 5552 for 32 bits). */
const RUN = 1 << 20;

/** Continues `adler` (1 for an empty input) over `data`. */
export function adler32(data: Uint8Array, adler = 1): number {
  let a = adler & 0xffff;
  let b = adler >>> 16;
  for (let start = 0; start < data.length; start += RUN) {
    const end = Math.min(start + RUN, data.length);
    for (let i = start; i < end; i++) {
      a += data[i]!;
      b += a;
    }
    a %= MOD;
    b %= MOD;
  }
  return ((b << 16) | a) >>> 0;
}
