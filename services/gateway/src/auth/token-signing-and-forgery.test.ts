// Tokens round-trip their claims in Discord's three-segment shape, and every tampering, foreign
// secret or malformed input is refused with a typed reason.
import { AuthenticationError, GatewayAuthError } from './errors';
import { TokenSigner, unverifiedUserId } from './token';

const SECRET = 'a'.repeat(32);
const signer = new TokenSigner(SECRET);
const claims = { userId: 175928847299117063n, issuedAt: 1_700_000_000 };

function reasonOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof AuthenticationError) return error.reason;
    throw error;
  }
  return undefined;
}

describe('token signing', () => {
  it('round-trips user id (as bigint, beyond 2^53) and issued-at', () => {
    expect(signer.verify(signer.sign(claims))).toEqual(claims);
    const max = { userId: (1n << 64n) - 1n, issuedAt: 0 };
    expect(signer.verify(signer.sign(max))).toEqual(max);
  });

  it("has Discord's shape: base64url(decimal id).base64url(decimal time).base64url(32-byte mac)", () => {
    const [id, time, mac] = signer.sign(claims).split('.') as [string, string, string];
    expect(Buffer.from(id, 'base64url').toString()).toBe('175928847299117063');
    expect(Buffer.from(time, 'base64url').toString()).toBe('1700000000');
    expect(Buffer.from(mac, 'base64url')).toHaveLength(32);
    expect(signer.sign(claims)).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(unverifiedUserId(signer.sign(claims))).toBe('175928847299117063');
  });

  it('refuses a token signed with another secret, or with a swapped user id or time', () => {
    const token = signer.sign(claims);
    expect(reasonOf(() => new TokenSigner('b'.repeat(32)).verify(token))).toBe('bad-signature');
    const [, time, mac] = token.split('.');
    const otherId = Buffer.from('175928847299117064').toString('base64url');
    expect(reasonOf(() => signer.verify(`${otherId}.${time}.${mac}`))).toBe('bad-signature');
    const [id] = token.split('.');
    const later = Buffer.from('1800000000').toString('base64url');
    expect(reasonOf(() => signer.verify(`${id}.${later}.${mac}`))).toBe('bad-signature');
  });

  it('refuses a flipped MAC bit', () => {
    const token = signer.sign(claims);
    const [id, time, mac] = token.split('.') as [string, string, string];
    const bytes = Buffer.from(mac, 'base64url');
    bytes[31] = bytes[31]! ^ 1;
    expect(reasonOf(() => signer.verify(`${id}.${time}.${bytes.toString('base64url')}`))).toBe('bad-signature');
  });

  it.each([
    ['empty', ''],
    ['two segments', 'abc.def'],
    ['four segments', 'a.b.c.d'],
    ['padding', `${Buffer.from('1').toString('base64')}=.MTcwMDAwMDAwMA.${'A'.repeat(43)}`],
    ['non-decimal id', `${Buffer.from('12a').toString('base64url')}.MTcwMDAwMDAwMA.${'A'.repeat(43)}`],
    ['leading zero id', `${Buffer.from('012').toString('base64url')}.MTcwMDAwMDAwMA.${'A'.repeat(43)}`],
    ['id over 64 bits', `${Buffer.from('18446744073709551616').toString('base64url')}.MTcwMDAwMDAwMA.${'A'.repeat(43)}`],
    ['short mac', `MTIz.MTcwMDAwMDAwMA.${'A'.repeat(40)}`],
    ['huge', 'x'.repeat(10_000)],
    ['discord-looking garbage', 'MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456789ABCDE'],
  ])('refuses a malformed token (%s)', (_name, token) => {
    expect(reasonOf(() => signer.verify(token))).toBe('malformed');
  });

  it('raises errors the session layer maps to close 4004', () => {
    let caught: unknown;
    try {
      signer.verify('nope');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(GatewayAuthError);
    expect(caught).toMatchObject({ closeCode: 4004, reason: 'malformed' });
  });

  it('refuses an empty secret and out-of-range claims', () => {
    expect(() => new TokenSigner('')).toThrow(RangeError);
    expect(() => signer.sign({ userId: -1n, issuedAt: 1 })).toThrow(RangeError);
    expect(() => signer.sign({ userId: 1n, issuedAt: 1.5 })).toThrow(RangeError);
  });
});
