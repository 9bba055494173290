import { PermissionFlags } from '@switchboard/runtime';
import { createGuildWith, createUsers, rejection, startApi } from './test-harness';
import type { ApiHarness } from './test-harness';

const MANAGE_ROLES = PermissionFlags.MANAGE_ROLES.toString();

describe('guild api – roles', () => {
  let h: ApiHarness;
  let owner: string;
  let mod: string;
  let guildId: string;
  let modRole: string;
  beforeAll(async () => {
    h = await startApi();
    [owner, mod] = (await createUsers(h.client, 2)) as [string, string];
    ({ guildId } = await createGuildWith(h, owner, [mod]));
    const { role } = await h.client.createRole({ guildId, name: 'Mod', permissions: MANAGE_ROLES, position: 5 });
    modRole = role!.id;
    await h.client.updateMember({ guildId, userId: mod, replaceRoles: true, roleIds: [modRole] });
  });
  afterAll(() => h.stop());
  beforeEach(() => h.publisher.take());

  it('CreateRole stores the role and sends GUILD_ROLE_CREATE {guild_id, role}', async () => {
    const response = await h.client.createRole({ actorId: owner, guildId, name: 'Helper', permissions: '1024', color: 0xff0000, hoist: true });
    expect(response.role).toMatchObject({ name: 'Helper', permissions: '1024', position: 1, color: 0xff0000, hoist: true });
    const [event] = h.publisher.take();
    expect(event).toMatchObject({ type: 'GUILD_ROLE_CREATE', scope: `g:${guildId}`, eventId: response.eventId, channelId: '' });
    expect(event!.payload).toEqual({
      guild_id: guildId,
      role: expect.objectContaining({ id: response.role!.id, name: 'Helper', permissions: '1024', color: 0xff0000, hoist: true, managed: false }),
    });
  });

  it('names the field of bad permissions and needs MANAGE_ROLES', async () => {
    expect(await rejection(h.client.createRole({ guildId, name: 'x', permissions: '-1' }))).toMatchObject({ field: 'permissions' });
    const [plain] = (await createUsers(h.client, 1)) as [string];
    await h.client.addMember({ guildId, user: { id: plain } });
    expect(await rejection(h.client.createRole({ actorId: plain, guildId, name: 'x' }))).toMatchObject({ name: 'PermissionDeniedError' });
  });

  it('a manager may only touch roles below its own highest role and grant what it has', async () => {
    expect(await rejection(h.client.createRole({ actorId: mod, guildId, name: 'Top', position: 9 }))).toMatchObject({ name: 'PermissionDeniedError' });
    expect(await rejection(h.client.updateRole({ actorId: mod, guildId, roleId: modRole, name: 'Self' }))).toMatchObject({ name: 'PermissionDeniedError' });
    const admin = PermissionFlags.ADMINISTRATOR.toString();
    expect(await rejection(h.client.createRole({ actorId: mod, guildId, name: 'Sneaky', permissions: admin, position: 2 }))).toMatchObject({
      name: 'PermissionDeniedError',
    });
    const { role } = await h.client.createRole({ actorId: mod, guildId, name: 'Low', position: 2 });
    expect(role?.position).toBe(2);
  });

  it('UpdateRole sends GUILD_ROLE_UPDATE; @everyone keeps its name', async () => {
    const { role } = await h.client.createRole({ guildId, name: 'Temp' });
    h.publisher.take();
    const response = await h.client.updateRole({ actorId: owner, guildId, roleId: role!.id, name: 'Renamed', mentionable: true });
    expect(response.role).toMatchObject({ name: 'Renamed', mentionable: true });
    expect(h.publisher.take()).toEqual([expect.objectContaining({ type: 'GUILD_ROLE_UPDATE', payload: { guild_id: guildId, role: expect.objectContaining({ name: 'Renamed' }) } })]);
    expect(await rejection(h.client.updateRole({ guildId, roleId: guildId, name: 'all' }))).toMatchObject({ name: 'FailedPreconditionError' });
    expect(await rejection(h.client.updateRole({ guildId, roleId: '12345', name: 'x' }))).toMatchObject({ name: 'NotFoundError' });
  });

  it('DeleteRole removes the role from members and overwrites and sends GUILD_ROLE_DELETE; @everyone stays', async () => {
    const { role } = await h.client.createRole({ guildId, name: 'Gone' });
    const roleId = role!.id;
    await h.client.updateMember({ guildId, userId: mod, replaceRoles: true, roleIds: [modRole, roleId] });
    const { channel } = await h.client.createChannel({ guildId, type: 0, name: 'c', permissionOverwrites: [{ id: roleId, type: 0, allow: '1024' }] });
    h.publisher.take();
    const { eventId } = await h.client.deleteRole({ actorId: owner, guildId, roleId });
    expect(h.publisher.take()).toEqual([expect.objectContaining({ type: 'GUILD_ROLE_DELETE', eventId, payload: { guild_id: guildId, role_id: roleId } })]);
    const { rows } = await h.database.query<{ role_ids: bigint[] }>('SELECT role_ids FROM members WHERE guild_id = $1 AND user_id = $2', [
      BigInt(guildId),
      BigInt(mod),
    ]);
    expect(rows[0]!.role_ids).toEqual([BigInt(modRole)]);
    const overwrites = await h.database.query('SELECT 1 FROM permission_overwrites WHERE channel_id = $1', [BigInt(channel!.id)]);
    expect(overwrites.rowCount).toBe(0);
    expect(await rejection(h.client.deleteRole({ guildId, roleId: guildId }))).toMatchObject({ name: 'FailedPreconditionError' });
  });
});
