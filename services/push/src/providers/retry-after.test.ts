import { parseRetryAfter } from './retry-after';

describe('parseRetryAfter', () => {
  test('reads delay-seconds', () => {
    expect(parseRetryAfter('7')).toBe(7000);
    expect(parseRetryAfter(['0'])).toBe(0);
  });

  test('reads an HTTP-date relative to now, never negative', () => {
    const now = Date.parse('Fri, 04 Dec 2026 21:00:00 GMT');
    expect(parseRetryAfter('Fri, 04 Dec 2026 21:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Fri, 04 Dec 2026 20:59:00 GMT', now)).toBe(0);
  });

  test('ignores an absent or unparseable header', () => {
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('')).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter('-5')).toBeUndefined();
  });
});
