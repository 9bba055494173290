// The demo a newcomer gets from `make dev`: two users (you and a friend), a guild with a #general
// channel and the friend as a member, created through the guild service's own gRPC API, so the
// first client that connects with the demo token gets READY with a guild and can watch messages.
import { guildV1 } from '@switchboard/proto';
import { closeClient, createClient } from '@switchboard/runtime';

export interface DemoGuild {
  userId: bigint;
  friendId: bigint;
  guildId: string;
  channelId: string;
}

export async function seedDemoGuild(guildAddress: string, userId: bigint, friendId: bigint): Promise<DemoGuild> {
  const api = createClient(guildV1.GuildService, guildAddress);
  try {
    await api.upsertUser({ user: { id: userId.toString(), username: 'you' } });
    await api.upsertUser({ user: { id: friendId.toString(), username: 'friend' } });
    const { guild } = await api.createGuild({ name: 'Switchboard demo', ownerId: userId.toString() });
    await api.addMember({ guildId: guild!.id, user: { id: friendId.toString() } });
    const { channels } = await api.getGuild({ guildId: guild!.id });
    const general = channels.find((channel) => channel.name === 'general') ?? channels[0]!;
    return { userId, friendId, guildId: guild!.id, channelId: general.id };
  } finally {
    closeClient(api);
  }
}

/** A grpcurl line that posts a message as the friend (what the demo client then receives). */
export function demoMessageCommand(guildPort: number, demo: DemoGuild): string {
  const body = JSON.stringify({ author_id: demo.friendId.toString(), channel_id: demo.channelId, content: 'hello from grpcurl' });
  return `grpcurl -plaintext -d '${body}' localhost:${guildPort} switchboard.guild.v1.GuildService/CreateMessage`;
}
