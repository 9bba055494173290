import { seededRandom } from './seeded-random';
import { compareSortKeys, displayNameOf, namePrefix, sortKeyOf } from './sort-key';

const member = (userId: bigint, username: string, globalName: string | null = null, nick: string | null = null) => ({ userId, username, globalName, nick });

describe('member sort key', () => {
  it('uses the nick, else the global name, else the username as the display name', () => {
    expect(displayNameOf(member(1n, 'user', 'Global', 'Nick'))).toBe('Nick');
    expect(displayNameOf(member(1n, 'user', 'Global'))).toBe('Global');
    expect(displayNameOf(member(1n, 'user'))).toBe('user');
    expect(displayNameOf(member(1n, 'user', '', ''))).toBe('user');
  });

  it('sorts case-insensitively, then by user id (as a number, not as text)', () => {
    const keys = [member(10n, 'bob'), member(9n, 'Bob'), member(3n, 'alice'), member(2n, 'ALICE', null, 'zed')].map(sortKeyOf);
    keys.sort(compareSortKeys);
    expect(keys.map((k) => k.userId)).toEqual([3n, 9n, 10n, 2n]);
  });

  it('never orders prefixes against the names they summarise', () => {
    const random = seededRandom(42);
    const alphabet = ['a', 'b', 'z', 'A', ' ', '~', '\u0000', '\u001f', 'é', '日', '😀', '_', '0'];
    const names = Array.from({ length: 3000 }, () => {
      const length = Math.floor(random() * 10);
      let name = '';
      for (let i = 0; i < length; i++) name += alphabet[Math.floor(random() * alphabet.length)];
      return name;
    });
    for (let i = 0; i + 1 < names.length; i++) {
      const [a, b] = [names[i]!, names[i + 1]!];
      if (a < b) expect(namePrefix(a)).toBeLessThanOrEqual(namePrefix(b));
      if (b < a) expect(namePrefix(b)).toBeLessThanOrEqual(namePrefix(a));
    }
    expect(namePrefix('abc')).toBeLessThan(namePrefix('abd'));
    expect(namePrefix('ab')).toBeLessThan(namePrefix('abc'));
    expect(Number.isSafeInteger(namePrefix('~~~~~~~~~~'))).toBe(true);
  });
});
