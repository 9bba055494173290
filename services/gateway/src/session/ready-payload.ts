// READY's `d`, as discord.js and @discordjs/ws read it: guilds are listed unavailable (their
// GUILD_CREATE follows), `shard` is echoed only when IDENTIFY gave one, and the empty collections
// of a bot account are present so clients that iterate them find arrays.
import type { IdentifyCommand } from './commands';
import type { AuthenticatedIdentity, GuildSnapshot } from './ports';

export function readyPayload(
  sessionId: string,
  identity: AuthenticatedIdentity,
  guilds: readonly GuildSnapshot[],
  resumeGatewayUrl: string,
  command: Pick<IdentifyCommand, 'shard' | 'sharded'>,
): Record<string, unknown> {
  return {
    v: 10,
    user: identity.user,
    guilds: guilds.map((guild) => ({ id: guild.id, unavailable: true })),
    session_id: sessionId,
    resume_gateway_url: resumeGatewayUrl,
    ...(command.sharded ? { shard: command.shard } : {}),
    application: { id: identity.applicationId ?? identity.user.id, flags: 0 },
    private_channels: [],
    user_settings: {},
    presences: [],
    relationships: [],
  };
}
