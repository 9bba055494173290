import {
  ALL_PERMISSIONS,
  applyImplicitPermissions,
  computeBasePermissions,
  computeChannelPermissions,
  computeOverwrites,
  ChannelView,
  GuildView,
  hasPermission,
  InvalidPermissionsError,
  MemberView,
  OverwriteType,
  parsePermissions,
  PermissionFlags as P,
  permissionNames,
  permissionsOf,
  serializePermissions,
} from './index';

const GUILD = 100n;
const MOD = 200n;
const MUTED = 201n;
const ADMIN = 202n;
const OWNER = 1n;
const ALICE = 2n;

function guild(everyone: bigint, roles: Record<string, bigint> = {}): GuildView {
  const map = new Map([[GUILD, { id: GUILD, permissions: everyone }]]);
  for (const [id, permissions] of Object.entries(roles)) map.set(BigInt(id), { id: BigInt(id), permissions });
  return { id: GUILD, ownerId: OWNER, roles: map };
}

function channel(...overwrites: [bigint, 0 | 1, bigint, bigint][]): ChannelView {
  return { overwrites: new Map(overwrites.map(([id, type, allow, deny]) => [id, { id, type, allow, deny }])) };
}

const member = (userId: bigint, ...roleIds: bigint[]): MemberView => ({ userId, roleIds });
const READ = P.VIEW_CHANNEL | P.READ_MESSAGE_HISTORY;

describe('permissions – base', () => {
  it('starts from @everyone and ORs in every role of the member', () => {
    const g = guild(READ, { [MOD.toString()]: P.MANAGE_MESSAGES, [MUTED.toString()]: P.ADD_REACTIONS });
    expect(computeBasePermissions(g, member(ALICE, MOD))).toBe(READ | P.MANAGE_MESSAGES);
  });

  it('gives the owner every permission whatever the roles say', () => {
    expect(computeBasePermissions(guild(0n), member(OWNER))).toBe(ALL_PERMISSIONS);
  });

  it('gives ADMINISTRATOR every permission, and overwrites cannot take it away', () => {
    const g = guild(READ, { [ADMIN.toString()]: P.ADMINISTRATOR });
    const c = channel([GUILD, OverwriteType.ROLE, 0n, P.VIEW_CHANNEL]);
    expect(computeChannelPermissions(g, member(ALICE, ADMIN), c)).toBe(ALL_PERMISSIONS);
  });
});

describe('permissions – channel overwrites', () => {
  const g = guild(READ | P.SEND_MESSAGES, { [MOD.toString()]: 0n, [MUTED.toString()]: 0n });

  it('applies the @everyone overwrite first', () => {
    const c = channel([GUILD, OverwriteType.ROLE, 0n, P.SEND_MESSAGES]);
    expect(computeOverwrites(READ | P.SEND_MESSAGES, g, member(ALICE), c)).toBe(READ);
  });

  it('applies all role overwrites together: an allow on one role beats a deny on another', () => {
    const c = channel([MOD, OverwriteType.ROLE, P.SEND_MESSAGES, 0n], [MUTED, OverwriteType.ROLE, 0n, P.SEND_MESSAGES]);
    expect(hasPermission(computeChannelPermissions(g, member(ALICE, MOD, MUTED), c), P.SEND_MESSAGES)).toBe(true);
  });

  it('applies the member overwrite last', () => {
    const c = channel(
      [GUILD, OverwriteType.ROLE, 0n, P.VIEW_CHANNEL],
      [MOD, OverwriteType.ROLE, P.VIEW_CHANNEL, 0n],
      [ALICE, OverwriteType.MEMBER, 0n, P.VIEW_CHANNEL],
    );
    expect(computeChannelPermissions(g, member(ALICE, MOD), c)).toBe(0n);
  });

  it('ignores role overwrites for roles the member does not have', () => {
    const c = channel([GUILD, OverwriteType.ROLE, 0n, P.VIEW_CHANNEL], [MOD, OverwriteType.ROLE, P.VIEW_CHANNEL, 0n]);
    expect(computeChannelPermissions(g, member(ALICE), c)).toBe(0n);
    expect(hasPermission(computeChannelPermissions(g, member(ALICE, MOD), c), P.VIEW_CHANNEL)).toBe(true);
  });
});

describe('permissions – implicit rules', () => {
  it('without VIEW_CHANNEL no other permission holds in the channel', () => {
    expect(applyImplicitPermissions(P.SEND_MESSAGES | P.MANAGE_MESSAGES, member(ALICE))).toBe(0n);
  });

  it('without SEND_MESSAGES the send-dependent permissions are dropped', () => {
    const bits = P.VIEW_CHANNEL | P.MENTION_EVERYONE | P.ATTACH_FILES | P.ADD_REACTIONS;
    expect(applyImplicitPermissions(bits, member(ALICE))).toBe(P.VIEW_CHANNEL | P.ADD_REACTIONS);
  });

  it('a timed-out member keeps only VIEW_CHANNEL and READ_MESSAGE_HISTORY until the timeout ends', () => {
    const timedOut = { ...member(ALICE), communicationDisabledUntil: 2_000 };
    expect(applyImplicitPermissions(READ | P.SEND_MESSAGES, timedOut, 1_000)).toBe(READ);
    expect(applyImplicitPermissions(READ | P.SEND_MESSAGES, timedOut, 3_000)).toBe(READ | P.SEND_MESSAGES);
  });
});

describe('permissions – bitsets', () => {
  it('round-trips the wire form, including bits above 2^53', () => {
    const bits = permissionsOf('VIEW_CHANNEL', 'BYPASS_SLOWMODE');
    expect(parsePermissions(serializePermissions(bits))).toBe(bits);
    expect(permissionNames(bits)).toEqual(['VIEW_CHANNEL', 'BYPASS_SLOWMODE']);
  });

  it('refuses numbers and malformed strings', () => {
    for (const bad of [8, '-8', '0x8', 'ADMINISTRATOR']) expect(() => parsePermissions(bad)).toThrow(InvalidPermissionsError);
  });
});
