import { PermissionFlags } from '@switchboard/runtime';
import { createGuildWith, createUsers, rejection, startApi } from './test-harness';
import type { ApiHarness } from './test-harness';

const VIEW = PermissionFlags.VIEW_CHANNEL.toString();

describe('guild api – channels', () => {
  let h: ApiHarness;
  let owner: string;
  let member: string;
  let guildId: string;
  beforeAll(async () => {
    h = await startApi();
    [owner, member] = (await createUsers(h.client, 2)) as [string, string];
    ({ guildId } = await createGuildWith(h, owner, [member]));
  });
  afterAll(() => h.stop());
  beforeEach(() => h.publisher.take());

  it('CreateChannel stores the channel with its overwrites and sends CHANNEL_CREATE with channelId', async () => {
    const { channel: category } = await h.client.createChannel({ guildId, type: 4, name: 'Info' });
    h.publisher.take();
    const response = await h.client.createChannel({
      actorId: owner,
      guildId,
      type: 0,
      name: 'secret',
      topic: 'shh',
      parentId: category!.id,
      position: 3,
      permissionOverwrites: [{ id: guildId, type: 0, deny: VIEW }, { id: member, type: 1, allow: VIEW }],
    });
    const channel = response.channel!;
    expect(channel).toMatchObject({ guildId, type: 0, name: 'secret', topic: 'shh', parentId: category!.id, position: 3 });
    const [event] = h.publisher.take();
    expect(event).toMatchObject({ type: 'CHANNEL_CREATE', scope: `g:${guildId}`, channelId: channel.id, eventId: response.eventId });
    expect(event!.payload).toMatchObject({
      id: channel.id,
      guild_id: guildId,
      type: 0,
      name: 'secret',
      topic: 'shh',
      parent_id: category!.id,
      position: 3,
      permission_overwrites: [
        { id: guildId, type: 0, allow: '0', deny: VIEW },
        { id: member, type: 1, allow: VIEW, deny: '0' },
      ],
    });
    const { rows } = await h.database.query('SELECT count(*)::int AS n FROM permission_overwrites WHERE channel_id = $1', [BigInt(channel.id)]);
    expect(rows[0]).toEqual({ n: 2 });
  });

  it('CreateChannel validates type, name, parent and overwrites by field', async () => {
    const { channel: text } = await h.client.createChannel({ guildId, type: 0, name: 'plain' });
    expect(await rejection(h.client.createChannel({ guildId, type: 1, name: 'dm' }))).toMatchObject({ field: 'type' });
    expect(await rejection(h.client.createChannel({ guildId, type: 0, name: '' }))).toMatchObject({ field: 'name' });
    expect(await rejection(h.client.createChannel({ guildId, type: 0, name: 'x', parentId: text!.id }))).toMatchObject({ field: 'parent_id' });
    expect(await rejection(h.client.createChannel({ guildId, type: 0, name: 'x', parentId: '123' }))).toMatchObject({ name: 'NotFoundError' });
    const bad = [{ id: guildId, type: 0, allow: '0' }, { id: member, type: 1, allow: 'all' }];
    expect(await rejection(h.client.createChannel({ guildId, type: 0, name: 'x', permissionOverwrites: bad }))).toMatchObject({
      field: 'permission_overwrites[1].allow',
    });
    expect(await rejection(h.client.createChannel({ guildId: '123', type: 0, name: 'x' }))).toMatchObject({ name: 'NotFoundError' });
  });

  it('channel writes need MANAGE_CHANNELS', async () => {
    expect(await rejection(h.client.createChannel({ actorId: member, guildId, type: 0, name: 'x' }))).toMatchObject({ name: 'PermissionDeniedError' });
    const { channel } = await h.client.createChannel({ guildId, type: 0, name: 'mine' });
    expect(await rejection(h.client.updateChannel({ actorId: member, channelId: channel!.id, name: 'y' }))).toMatchObject({ name: 'PermissionDeniedError' });
    expect(await rejection(h.client.deleteChannel({ actorId: member, channelId: channel!.id }))).toMatchObject({ name: 'PermissionDeniedError' });
  });

  it('UpdateChannel changes the given fields, replaces overwrites when asked and sends CHANNEL_UPDATE', async () => {
    const { channel } = await h.client.createChannel({ guildId, type: 0, name: 'old', topic: 't', permissionOverwrites: [{ id: member, type: 1, allow: VIEW }] });
    h.publisher.take();
    const response = await h.client.updateChannel({ actorId: owner, channelId: channel!.id, name: 'new', nsfw: true, replaceOverwrites: true });
    expect(response.channel).toMatchObject({ name: 'new', topic: 't', nsfw: true, permissionOverwrites: [] });
    const [event] = h.publisher.take();
    expect(event).toMatchObject({ type: 'CHANNEL_UPDATE', channelId: channel!.id, payload: expect.objectContaining({ name: 'new', nsfw: true, permission_overwrites: [] }) });
  });

  it('DeleteChannel sends CHANNEL_DELETE and detaches the children of a category', async () => {
    const { channel: category } = await h.client.createChannel({ guildId, type: 4, name: 'Cat' });
    const { channel: child } = await h.client.createChannel({ guildId, type: 0, name: 'child', parentId: category!.id });
    h.publisher.take();
    const { eventId } = await h.client.deleteChannel({ channelId: category!.id });
    const [deleted, moved] = h.publisher.take();
    expect(deleted).toMatchObject({ type: 'CHANNEL_DELETE', eventId, channelId: category!.id, payload: expect.objectContaining({ id: category!.id, type: 4 }) });
    expect(moved).toMatchObject({ type: 'CHANNEL_UPDATE', channelId: child!.id, payload: expect.objectContaining({ parent_id: null }) });
    expect(await rejection(h.client.deleteChannel({ channelId: category!.id }))).toMatchObject({ name: 'NotFoundError' });
  });
});

describe('guild api – DM channels', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi();
  });
  afterAll(() => h.stop());
  beforeEach(() => h.publisher.take());

  it('a DM between two users sends CHANNEL_CREATE to each, with the other as recipient; a second call returns it', async () => {
    const [a, b] = (await createUsers(h.client, 2)) as [string, string];
    const first = await h.client.createDmChannel({ recipientIds: [a, b] });
    expect(first.channel).toMatchObject({ type: 1, guildId: '', recipientIds: [a, b] });
    const events = h.publisher.take();
    expect(events.map((e) => [e.type, e.scope])).toEqual([
      ['CHANNEL_CREATE', `u:${a}`],
      ['CHANNEL_CREATE', `u:${b}`],
    ]);
    expect(events[0]!.eventId).toBe(first.eventId);
    expect(events[0]!.payload).toMatchObject({ id: first.channel!.id, type: 1, recipients: [expect.objectContaining({ id: b })] });
    expect(events[1]!.payload.recipients).toEqual([expect.objectContaining({ id: a })]);

    const again = await h.client.createDmChannel({ recipientIds: [b, a] });
    expect(again.channel!.id).toBe(first.channel!.id);
    expect(h.publisher.take()).toEqual([]);
  });

  it('three or more recipients make a group DM', async () => {
    const users = await createUsers(h.client, 3);
    const { channel } = await h.client.createDmChannel({ recipientIds: users, name: 'trio' });
    expect(channel).toMatchObject({ type: 3, name: 'trio' });
    const events = h.publisher.take();
    expect(events.map((e) => e.scope)).toEqual(users.map((u) => `u:${u}`));
    expect(events[0]!.payload).toMatchObject({ type: 3, name: 'trio' });
    expect(events[0]!.payload.recipients).toHaveLength(2);
  });

  it('rejects bad recipient lists and unknown users', async () => {
    const [a] = (await createUsers(h.client, 1)) as [string];
    expect(await rejection(h.client.createDmChannel({ recipientIds: [a] }))).toMatchObject({ field: 'recipient_ids' });
    expect(await rejection(h.client.createDmChannel({ recipientIds: [a, a] }))).toMatchObject({ field: 'recipient_ids[1]' });
    expect(await rejection(h.client.createDmChannel({ recipientIds: [a, 'x'] }))).toMatchObject({ field: 'recipient_ids[1]' });
    expect(await rejection(h.client.createDmChannel({ recipientIds: [a, '77777'] }))).toMatchObject({ name: 'NotFoundError' });
  });
});
