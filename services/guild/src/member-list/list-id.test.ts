import { PermissionFlags } from '@switchboard/runtime';
import { EVERYONE_LIST, listVisibility, murmurHash3 } from './list-id';

const VIEW = PermissionFlags.VIEW_CHANNEL;

describe('member list visibility', () => {
  it('matches the published MurmurHash3 x86_32 test vectors', () => {
    expect(murmurHash3('')).toBe(0);
    expect(murmurHash3('', 1)).toBe(0x514e28b7);
    expect(murmurHash3('hello')).toBe(0x248bfa47);
    expect(murmurHash3('Hello, world!', 1234)).toBe(0xfaf6cdb3);
    expect(murmurHash3('The quick brown fox jumps over the lazy dog')).toBe(0x2e4ff723);
  });

  it('is "everyone" when no overwrite touches VIEW_CHANNEL', () => {
    expect(listVisibility([{ id: 1n, type: 0, allow: PermissionFlags.SEND_MESSAGES, deny: 0n }])).toBe(EVERYONE_LIST);
  });

  it('depends on the VIEW_CHANNEL overwrites only, in any order', () => {
    const a = listVisibility([
      { id: 1n, type: 0, allow: 0n, deny: VIEW },
      { id: 2n, type: 0, allow: VIEW, deny: 0n },
      { id: 3n, type: 1, allow: PermissionFlags.SEND_MESSAGES, deny: 0n },
    ]);
    const b = listVisibility([
      { id: 2n, type: 0, allow: VIEW | PermissionFlags.SEND_MESSAGES, deny: 0n },
      { id: 1n, type: 0, allow: 0n, deny: VIEW },
    ]);
    expect(a).toEqual(b);
    expect(a.key).toBe('allow:2,deny:1');
    expect(a.listId).toBe(String(murmurHash3('allow:2,deny:1')));
    expect(listVisibility([{ id: 1n, type: 0, allow: VIEW, deny: 0n }]).key).not.toBe(a.key);
  });
});
