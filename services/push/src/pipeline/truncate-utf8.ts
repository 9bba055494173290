// Truncation by UTF-8 bytes (what the providers count), never inside a character: whole grapheme
// clusters are kept (an emoji with its skin tone or a ZWJ family stays whole, a letter keeps its
// accents), falling back to whole code points only when not even the first cluster fits.

export const ELLIPSIS = '…'; // U+2026, 3 bytes in UTF-8
const ELLIPSIS_BYTES = 3;

export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * `text` when it fits in `maxBytes`; otherwise its longest prefix of whole characters that fits
 * together with the ellipsis, followed by the ellipsis. The result never exceeds `maxBytes`.
 */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (!Number.isInteger(maxBytes) || maxBytes < 0) throw new RangeError('maxBytes must be a non-negative integer');
  // Each UTF-16 unit is at most 3 UTF-8 bytes: skip the exact count for short strings.
  if (text.length * 3 <= maxBytes || utf8Length(text) <= maxBytes) return text;
  if (maxBytes < ELLIPSIS_BYTES) return '';
  const budget = maxBytes - ELLIPSIS_BYTES;
  let kept = prefixWithin(text, budget, graphemes.segment(text), (s) => s.segment);
  if (kept === '' && budget > 0) kept = prefixWithin(text, budget, text, (c) => c);
  return kept + ELLIPSIS;
}

/** The longest prefix made of whole `units` (code points or grapheme clusters) within `budget` bytes. */
function prefixWithin<T>(text: string, budget: number, units: Iterable<T>, unitText: (u: T) => string): string {
  let bytes = 0;
  let end = 0;
  for (const unit of units) {
    const s = unitText(unit);
    const size = utf8Length(s);
    if (bytes + size > budget) break;
    bytes += size;
    end += s.length;
  }
  return text.slice(0, end);
}
