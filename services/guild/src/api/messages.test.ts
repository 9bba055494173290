import { PermissionFlags } from '@switchboard/runtime';
import { DEFAULT_EVERYONE_PERMISSIONS } from './access';
import { createGuildWith, createUsers, rejection, startApi } from './test-harness';
import type { ApiHarness } from './test-harness';

const VIEW = PermissionFlags.VIEW_CHANNEL.toString();

describe('guild api – messages in a guild', () => {
  let h: ApiHarness;
  let owner: string;
  let author: string;
  let mentioned: string;
  let outsider: string;
  let guildId: string;
  let generalId: string;
  beforeAll(async () => {
    h = await startApi();
    [owner, author, mentioned, outsider] = (await createUsers(h.client, 4)) as [string, string, string, string];
    ({ guildId, generalId } = await createGuildWith(h, owner, [author, mentioned]));
  });
  afterAll(() => h.stop());
  beforeEach(() => h.publisher.take());

  it('CreateMessage sends one MESSAGE_CREATE to the guild scope with Discord’s message shape', async () => {
    const response = await h.client.createMessage({
      authorId: author,
      channelId: generalId,
      content: 'hello <@x>',
      mentionUserIds: [mentioned, '31337', author],
      nonce: 'n1',
      extraJson: JSON.stringify({ embeds: [{ title: 'e' }] }),
    });
    const message = response.message!;
    expect(message).toMatchObject({ channelId: generalId, guildId, authorId: author, content: 'hello <@x>', mentionUserIds: [author, mentioned].sort() });
    const events = h.publisher.take();
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event).toMatchObject({ type: 'MESSAGE_CREATE', scope: `g:${guildId}`, channelId: generalId, eventId: response.eventId });
    expect(event!.contentUserIds.sort()).toEqual([author, mentioned].sort());
    expect(event!.pushUserIds).toEqual([mentioned]);
    const d = event!.payload;
    expect(d).toMatchObject({
      id: message.id,
      channel_id: generalId,
      guild_id: guildId,
      author: { id: author, username: `user${author}`, discriminator: '0' },
      content: 'hello <@x>',
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mention_roles: [],
      attachments: [],
      embeds: [{ title: 'e' }],
      pinned: false,
      type: 0,
      nonce: 'n1',
    });
    expect(d.member).toMatchObject({ roles: [] });
    expect(d.member.user).toBeUndefined();
    expect(d.mentions.map((u: any) => u.id).sort()).toEqual([author, mentioned].sort());
    expect(new Date(d.timestamp).toISOString()).toBe(d.timestamp);
  });

  it('an overwrite denying VIEW_CHANNEL to the author makes CreateMessage fail', async () => {
    const { channel } = await h.client.createChannel({ guildId, type: 0, name: 'hidden', permissionOverwrites: [{ id: author, type: 1, deny: VIEW }] });
    expect(await rejection(h.client.createMessage({ authorId: author, channelId: channel!.id, content: 'hi' }))).toMatchObject({ name: 'PermissionDeniedError' });
    await h.client.createMessage({ authorId: mentioned, channelId: channel!.id, content: 'hi' });
  });

  it('a non-member cannot post; a category is no message channel; fields are validated', async () => {
    expect(await rejection(h.client.createMessage({ authorId: outsider, channelId: generalId, content: 'hi' }))).toMatchObject({ name: 'PermissionDeniedError' });
    const { channel: category } = await h.client.createChannel({ guildId, type: 4, name: 'cat' });
    expect(await rejection(h.client.createMessage({ authorId: author, channelId: category!.id, content: 'hi' }))).toMatchObject({
      name: 'FailedPreconditionError',
    });
    expect(await rejection(h.client.createMessage({ authorId: author, channelId: '4040', content: 'hi' }))).toMatchObject({ name: 'NotFoundError' });
    expect(await rejection(h.client.createMessage({ authorId: author, channelId: generalId, content: 'x'.repeat(4001) }))).toMatchObject({ field: 'content' });
    expect(await rejection(h.client.createMessage({ authorId: author, channelId: generalId, content: 'x', extraJson: '[1]' }))).toMatchObject({ field: 'extra_json' });
    expect(await rejection(h.client.createMessage({ authorId: author, channelId: generalId, content: 'x', extraJson: '{"id":"1"}' }))).toMatchObject({
      field: 'extra_json',
    });
    expect(await rejection(h.client.createMessage({ authorId: '', channelId: generalId, content: 'x' }))).toMatchObject({ field: 'author_id' });
  });

  it('mention_everyone holds only with MENTION_EVERYONE', async () => {
    await h.client.updateRole({ guildId, roleId: guildId, permissions: (PermissionFlags.VIEW_CHANNEL | PermissionFlags.SEND_MESSAGES).toString() });
    const { message } = await h.client.createMessage({ authorId: author, channelId: generalId, content: '@everyone', mentionEveryone: true });
    expect(message?.mentionEveryone).toBe(false);
    const owners = await h.client.createMessage({ authorId: owner, channelId: generalId, content: '@everyone', mentionEveryone: true });
    expect(owners.message?.mentionEveryone).toBe(true);
    await h.client.updateRole({ guildId, roleId: guildId, permissions: DEFAULT_EVERYONE_PERMISSIONS.toString() });
  });

  it('UpdateMessage and DeleteMessage send MESSAGE_UPDATE / MESSAGE_DELETE to viewers of the channel', async () => {
    const update = await h.client.updateMessage({ actorId: author, channelId: generalId, messageId: '777', content: 'edited' });
    const [updated] = h.publisher.take();
    expect(updated).toMatchObject({ type: 'MESSAGE_UPDATE', scope: `g:${guildId}`, channelId: generalId, eventId: update.eventId });
    expect(updated!.payload).toMatchObject({ id: '777', channel_id: generalId, guild_id: guildId, content: 'edited' });
    expect(typeof updated!.payload.edited_timestamp).toBe('string');
    const deletion = await h.client.deleteMessage({ actorId: author, channelId: generalId, messageId: '777' });
    expect(h.publisher.take()).toEqual([
      expect.objectContaining({ type: 'MESSAGE_DELETE', eventId: deletion.eventId, payload: { id: '777', channel_id: generalId, guild_id: guildId } }),
    ]);
    expect(await rejection(h.client.deleteMessage({ actorId: outsider, channelId: generalId, messageId: '777' }))).toMatchObject({ name: 'PermissionDeniedError' });
    expect(await rejection(h.client.updateMessage({ channelId: generalId, messageId: 'x', content: 'e' }))).toMatchObject({ field: 'message_id' });
  });

  it('TriggerTyping sends TYPING_START with the member; reactions send MESSAGE_REACTION_ADD / REMOVE', async () => {
    await h.client.triggerTyping({ userId: author, channelId: generalId });
    const [typing] = h.publisher.take();
    expect(typing).toMatchObject({ type: 'TYPING_START', scope: `g:${guildId}`, channelId: generalId });
    expect(typing!.payload).toMatchObject({ channel_id: generalId, guild_id: guildId, user_id: author, member: { user: expect.objectContaining({ id: author }) } });
    expect(Number.isInteger(typing!.payload.timestamp)).toBe(true);

    await h.client.addReaction({ userId: author, channelId: generalId, messageId: '9', emoji: '👍' });
    await h.client.removeReaction({ userId: author, channelId: generalId, messageId: '9', emoji: 'party:12345' });
    const [add, remove] = h.publisher.take();
    expect(add).toMatchObject({ type: 'MESSAGE_REACTION_ADD', channelId: generalId });
    expect(add!.payload).toMatchObject({ user_id: author, channel_id: generalId, message_id: '9', guild_id: guildId, emoji: { id: null, name: '👍' } });
    expect(add!.payload.member).toBeDefined();
    expect(remove!.payload).toMatchObject({ emoji: { id: '12345', name: 'party' } });
    expect(remove!.payload.member).toBeUndefined();
    expect(await rejection(h.client.addReaction({ userId: author, channelId: generalId, messageId: '9', emoji: '' }))).toMatchObject({ field: 'emoji' });
    expect(await rejection(h.client.triggerTyping({ userId: outsider, channelId: generalId }))).toMatchObject({ name: 'PermissionDeniedError' });
  });

  it('reactions need ADD_REACTIONS in the channel', async () => {
    const { channel } = await h.client.createChannel({
      guildId,
      type: 0,
      name: 'no-react',
      permissionOverwrites: [{ id: guildId, type: 0, deny: PermissionFlags.ADD_REACTIONS.toString() }],
    });
    expect(await rejection(h.client.addReaction({ userId: author, channelId: channel!.id, messageId: '1', emoji: 'x' }))).toMatchObject({
      name: 'PermissionDeniedError',
    });
  });
});

describe('guild api – messages in DMs and Dispatch', () => {
  let h: ApiHarness;
  let a: string;
  let b: string;
  let c: string;
  let dmId: string;
  beforeAll(async () => {
    h = await startApi();
    [a, b, c] = (await createUsers(h.client, 3)) as [string, string, string];
    dmId = (await h.client.createDmChannel({ recipientIds: [a, b] })).channel!.id;
  });
  afterAll(() => h.stop());
  beforeEach(() => h.publisher.take());

  it('a DM message goes to each recipient’s user scope, pushing the others', async () => {
    const response = await h.client.createMessage({ authorId: a, channelId: dmId, content: 'psst' });
    expect(response.message?.guildId).toBe('');
    const events = h.publisher.take();
    expect(events.map((e) => [e.type, e.scope, e.pushUserIds, e.contentUserIds])).toEqual([
      ['MESSAGE_CREATE', `u:${a}`, [], [a]],
      ['MESSAGE_CREATE', `u:${b}`, [b], [b]],
    ]);
    expect(events[0]!.eventId).toBe(response.eventId);
    expect(events[0]!.payload).toMatchObject({ channel_id: dmId, content: 'psst', author: expect.objectContaining({ id: a }) });
    expect(events[0]!.payload.guild_id).toBeUndefined();
    expect(events[0]!.payload.member).toBeUndefined();
    expect(await rejection(h.client.createMessage({ authorId: c, channelId: dmId, content: 'hi' }))).toMatchObject({ name: 'PermissionDeniedError' });
  });

  it('typing and reactions in a DM go per recipient', async () => {
    await h.client.triggerTyping({ userId: b, channelId: dmId });
    await h.client.addReaction({ userId: b, channelId: dmId, messageId: '5', emoji: '🔥' });
    expect(h.publisher.take().map((e) => [e.type, e.scope])).toEqual([
      ['TYPING_START', `u:${a}`],
      ['TYPING_START', `u:${b}`],
      ['MESSAGE_REACTION_ADD', `u:${a}`],
      ['MESSAGE_REACTION_ADD', `u:${b}`],
    ]);
  });

  it('Dispatch addresses a guild, a guild channel, a DM or users, passing the intent through', async () => {
    const { guildId, generalId } = await createGuildWith(h, a, [b]);
    const payload = JSON.stringify({ answer_id: 1 });
    const toGuild = await h.client.dispatch({ eventType: 'POLL_VOTE_ADD', payloadJson: payload, audience: { case: 'guildId', value: guildId }, requiredIntent: 1 << 24 });
    await h.client.dispatch({ eventType: 'POLL_VOTE_ADD', payloadJson: payload, audience: { case: 'channelId', value: generalId } });
    await h.client.dispatch({ eventType: 'POLL_VOTE_ADD', payloadJson: payload, audience: { case: 'channelId', value: dmId } });
    await h.client.dispatch({ eventType: 'CUSTOM_THING', payloadJson: payload, audience: { case: 'users', value: { ids: [c] } } });
    const events = h.publisher.take();
    expect(events.map((e) => [e.type, e.scope, e.channelId, e.requiredIntent])).toEqual([
      ['POLL_VOTE_ADD', `g:${guildId}`, '', 1 << 24],
      ['POLL_VOTE_ADD', `g:${guildId}`, generalId, 0],
      ['POLL_VOTE_ADD', `u:${a}`, '', 0],
      ['POLL_VOTE_ADD', `u:${b}`, '', 0],
      ['CUSTOM_THING', `u:${c}`, '', 0],
    ]);
    expect(events[0]).toMatchObject({ eventId: toGuild.eventId, payload: { answer_id: 1 } });
  });

  it('Dispatch validates the type, the payload and the audience', async () => {
    const users = { case: 'users' as const, value: { ids: [a] } };
    expect(await rejection(h.client.dispatch({ eventType: 'pollVote', payloadJson: '{}', audience: users }))).toMatchObject({ field: 'event_type' });
    expect(await rejection(h.client.dispatch({ eventType: 'X', payloadJson: '"s"', audience: users }))).toMatchObject({ field: 'payload_json' });
    expect(await rejection(h.client.dispatch({ eventType: 'X', payloadJson: '{}' }))).toMatchObject({ field: 'audience' });
    expect(await rejection(h.client.dispatch({ eventType: 'X', payloadJson: '{}', audience: { case: 'guildId', value: '5' } }))).toMatchObject({ name: 'NotFoundError' });
  });
});
