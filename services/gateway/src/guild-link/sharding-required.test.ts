// A session may hold at most 2,500 guilds (configurable): beyond that READY is refused with close
// code 4011 (sharding required), which the session sends as its close code.
import { closeCodeInfo } from '../protocol';
import { closeCodeOf } from '../session/ports';
import { GrpcGuildDirectory } from './guild-directory';
import type { GrpcGuildDirectoryOptions } from './guild-directory';

function directory(guildCount: number, maxGuildsPerShard: number): { directory: GrpcGuildDirectory; released: () => number } {
  let released = 0;
  const options = {
    client: {
      getUserGuilds: async () => ({ guilds: Array.from({ length: guildCount }, (_, i) => ({ guildId: String(1000 + i), payloadJson: '{}' })) }),
    },
    tracker: { hold: () => () => void (released += 1) },
    membership: { recordMembership: () => ({ stop: () => [] }), replay: () => undefined },
    sync: async () => undefined,
    timeoutMs: 1_000,
    logger: { warn: () => undefined, info: () => undefined, debug: () => undefined, error: () => undefined },
    maxGuildsPerShard,
  } as unknown as GrpcGuildDirectoryOptions;
  return { directory: new GrpcGuildDirectory(options), released: () => released };
}

describe('guild directory – sharding required', () => {
  it('refuses READY with 4011 when the shard holds more guilds than a session may, and releases its holds', async () => {
    const { directory: dir, released } = directory(3, 2);
    const error = await dir.readyGuilds(1n, [0, 1]).catch((err: unknown) => err);
    expect(closeCodeOf(error)).toBe(4011);
    expect(closeCodeInfo(4011)?.reconnect).toBe(false);
    expect(released()).toBe(1);
  });

  it('accepts exactly the bound', async () => {
    const { directory: dir } = directory(2, 2);
    await expect(dir.readyGuilds(1n, [0, 1])).resolves.toHaveLength(2);
  });
});
