import { ELLIPSIS, truncateUtf8, utf8Length } from './truncate-utf8';

/** True when the string survives a UTF-8 round trip (no lone surrogate from a split pair). */
function wellFormed(text: string): boolean {
  return Buffer.from(text, 'utf8').toString('utf8') === text;
}

describe('truncateUtf8', () => {
  it('returns text that fits unchanged', () => {
    expect(truncateUtf8('hello', 5)).toBe('hello');
    expect(truncateUtf8('日本', 6)).toBe('日本');
  });

  it('cuts by bytes, not characters, and marks the cut with an ellipsis', () => {
    const out = truncateUtf8('abcdefghij', 8);
    expect(out).toBe(`abcde${ELLIPSIS}`);
    expect(utf8Length(out)).toBe(8);
  });

  it('never splits a CJK character (3 bytes) at the boundary', () => {
    // 日本語です = 15 bytes; 10 bytes leave 7 for text: two characters (6), not two and a third.
    const out = truncateUtf8('日本語です', 10);
    expect(out).toBe(`日本${ELLIPSIS}`);
    expect(utf8Length(out)).toBeLessThanOrEqual(10);
  });

  it('never splits an emoji (a surrogate pair, 4 bytes) at the boundary', () => {
    // 'ab😀😀' = 2 + 4 + 4 bytes. With 9 bytes, 6 remain for text: 'ab😀' fits exactly.
    expect(truncateUtf8('ab😀😀', 9)).toBe(`ab😀${ELLIPSIS}`);
    // With 8 bytes, 5 remain: the emoji would need 6, so it goes whole.
    const out = truncateUtf8('ab😀😀', 8);
    expect(out).toBe(`ab${ELLIPSIS}`);
    expect(wellFormed(out)).toBe(true);
  });

  it('keeps a grapheme cluster whole (ZWJ family, skin tone, combining accent)', () => {
    const family = '👨‍👩‍👧'; // 18 bytes
    expect(truncateUtf8(`x${family}${family}`, 1 + 18 + 3 + 10)).toBe(`x${family}${ELLIPSIS}`);
    expect(truncateUtf8('👍🏽👍🏽👍🏽', 20)).toBe(`👍🏽👍🏽${ELLIPSIS}`); // 8 bytes each: a third would not fit in 17
    // 'é' as e + U+0301 is 3 bytes: with 5 for text, a code-point cut would keep 'é' + a bare 'e'.
    expect(truncateUtf8('e\u0301e\u0301e\u0301', 8)).toBe(`e\u0301${ELLIPSIS}`);
  });

  it('falls back to whole code points when not even the first cluster fits', () => {
    expect(truncateUtf8('👍🏽👍🏽', 10)).toBe(`👍${ELLIPSIS}`); // 7 bytes for text: the thumb without its tone
    const zalgo = `a${'\u0301'.repeat(50)}`; // one cluster of 101 bytes
    const out = truncateUtf8(zalgo, 10);
    expect(out).toBe(`a${'\u0301'.repeat(3)}${ELLIPSIS}`);
  });

  it('returns an empty string when not even the ellipsis fits', () => {
    expect(truncateUtf8('abcdef', 2)).toBe('');
  });

  it('never exceeds the limit nor produces malformed text, whatever the mix', () => {
    const alphabet = ['a', 'é', '日', '😀', '👨‍👩‍👧', '\u0301', '"', '한'];
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 300; i += 1) {
      const text = Array.from({ length: 1 + Math.floor(random() * 40) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
      const max = Math.floor(random() * 60);
      const out = truncateUtf8(text, max);
      expect(utf8Length(out)).toBeLessThanOrEqual(max);
      expect(wellFormed(out)).toBe(true);
      const kept = out.endsWith(ELLIPSIS) && out !== text ? out.slice(0, -ELLIPSIS.length) : out;
      expect(text.startsWith(kept)).toBe(true);
    }
  });
});
