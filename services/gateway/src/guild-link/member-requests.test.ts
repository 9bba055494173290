// op 8 REQUEST_GUILD_MEMBERS through a real embedded gateway and a fake guild instance: chunks go
// to the requesting session only, over-asking gets RATE_LIMITED, malformed requests close 4002.
import type { RunningGateway } from '../start';
import { DEFAULT_INTENTS, FakeGuildServer, ready, startLinkedGateway, waitFor } from './fake-guild-server';
import { MemberRequestLimiter, parseMemberRequestFields } from './member-requester';

const GUILD = '41771983423143937';
let nextUser = 575928847299117063n;

describe('guild link – op 8 REQUEST_GUILD_MEMBERS', () => {
  let fake: FakeGuildServer;
  let gateway: RunningGateway;

  beforeAll(async () => {
    fake = await FakeGuildServer.start();
    fake.memberChunks = (request) => [
      { guild_id: request.guildId, members: [{ user: { id: '1' } }], chunk_index: 0, chunk_count: 2, nonce: request.nonce },
      { guild_id: request.guildId, members: [{ user: { id: '2' } }], chunk_index: 1, chunk_count: 2, nonce: request.nonce },
    ];
    gateway = await startLinkedGateway([fake], { GATEWAY_MEMBER_REQUEST_LIMIT: '2', GATEWAY_MEMBER_REQUEST_WINDOW: '60s' });
    await waitFor(() => fake.call?.helloFrom !== undefined, 'the fanout hello');
  });

  afterAll(async () => {
    await gateway.context.lifecycle.shutdown('test done');
    fake.stop();
  });

  it('answers with GUILD_MEMBERS_CHUNK to the requesting session only', async () => {
    const user = nextUser++;
    const asker = await ready(gateway, user);
    const sibling = await ready(gateway, user);
    asker.client.send({ op: 8, d: { guild_id: GUILD, query: 'a', limit: 10, nonce: 'n1' } });
    const chunks = [await asker.client.dispatch('GUILD_MEMBERS_CHUNK'), await asker.client.dispatch('GUILD_MEMBERS_CHUNK')];
    expect(chunks.map((chunk) => chunk.d)).toMatchObject([{ chunk_index: 0, nonce: 'n1' }, { chunk_index: 1, nonce: 'n1' }]);
    expect(fake.memberRequests.at(-1)).toMatchObject({ guildId: GUILD, userId: String(user), query: 'a', limit: 10, nonce: 'n1', presences: false });
    // A marker to the sibling proves nothing else reached it before.
    gateway.edge.registry.dispatchToSession(sibling.sessionId, 'MARKER', {});
    const seen = new Set<string | null | undefined>();
    await sibling.client.next((frame) => (seen.add(frame.t), frame.t === 'MARKER'));
    expect(seen.has('GUILD_MEMBERS_CHUNK')).toBe(false);
    asker.client.ws.close(1000);
    sibling.client.ws.close(1000);
  });

  it('answers RATE_LIMITED with opcode, retry_after and meta once the session is over its budget', async () => {
    const { client } = await ready(gateway, nextUser++);
    const request = (nonce: string) => client.send({ op: 8, d: { guild_id: GUILD, user_ids: ['1', '2'], nonce } });
    request('a');
    request('b');
    request('c');
    const limited = await client.dispatch('RATE_LIMITED');
    expect(limited.d).toMatchObject({ opcode: 8, meta: { guild_id: GUILD, nonce: 'c' } });
    expect((limited.d as { retry_after: number }).retry_after).toBeGreaterThan(0);
    expect(fake.memberRequests.filter((r) => r.nonce === 'c')).toEqual([]);
    client.ws.close(1000);
  });

  it('drops presences without GUILD_PRESENCES and ignores full lists without GUILD_MEMBERS', async () => {
    const { client } = await ready(gateway, nextUser++, { intents: DEFAULT_INTENTS });
    client.send({ op: 8, d: { guild_id: GUILD, query: '', limit: 0, nonce: 'full' } });
    client.send({ op: 8, d: { guild_id: GUILD, user_ids: '7', presences: true, nonce: 'pres' } });
    await client.dispatch('GUILD_MEMBERS_CHUNK');
    expect(fake.memberRequests.filter((r) => r.nonce === 'full')).toEqual([]);
    expect(fake.memberRequests.find((r) => r.nonce === 'pres')).toMatchObject({ userIds: ['7'], presences: false });
    client.ws.close(1000);
  });

  it('closes with 4002 when the request has neither query nor user_ids', async () => {
    const { client } = await ready(gateway, nextUser++);
    client.send({ op: 8, d: { guild_id: GUILD, limit: 10 } });
    expect((await client.closed).code).toBe(4002);
  });
});

describe('op 8 validation and budget', () => {
  it.each([
    [{ guild_id: 'x', query: '' , limit: 0 }],
    [{ guild_id: GUILD, query: 'a', user_ids: ['1'], limit: 1 }],
    [{ guild_id: GUILD, query: 'a' }],
    [{ guild_id: GUILD, user_ids: [] }],
    [{ guild_id: GUILD, query: 'a', limit: 1, presences: 'yes' }],
  ])('rejects %j with 4002', (d) => {
    expect(() => parseMemberRequestFields(d)).toThrow(expect.objectContaining({ close: expect.objectContaining({ code: 4002 }) }));
  });

  it('allows `limit` requests per window per session, then says how long to wait', () => {
    const limiter = new MemberRequestLimiter(2, 1_000);
    expect([limiter.hit('s1', 0), limiter.hit('s1', 100), limiter.hit('s2', 100)]).toEqual([0, 0, 0]);
    expect(limiter.hit('s1', 400)).toBe(600);
    expect(limiter.hit('s1', 1_000)).toBe(0);
  });
});
