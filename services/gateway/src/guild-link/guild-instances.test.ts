// GUILD_ADDRESS / GUILD_FANOUT_TARGETS: parsed with one-line config errors, and `dns:` targets
// followed as the headless Service's records change.
import { ConfigError } from '@switchboard/runtime';
import { loadGatewayConfig } from '../config';
import { embeddedGatewayEnv } from '../testing/embedded-gateway';
import { GuildInstances, parseFanoutTargets } from './guild-instances';
import { waitFor } from './fake-guild-server';

const load = (env: Record<string, string>) => loadGatewayConfig(embeddedGatewayEnv(env));

describe('guild instance settings', () => {
  it('reads a static list, a dns target, and defaults to none', () => {
    expect(load({}).guildAddress).toBeUndefined();
    const config = load({ GUILD_ADDRESS: 'guild:50051', GUILD_FANOUT_TARGETS: 'guild-0:50051, guild-1:50051,[::1]:50051' });
    expect(config.guildAddress).toBe('guild:50051');
    expect(config.guildFanoutTargets).toEqual({ kind: 'static', addresses: ['guild-0:50051', 'guild-1:50051', '[::1]:50051'] });
    expect(parseFanoutTargets('X', 'dns:guild-headless.default.svc:50051')).toEqual({ kind: 'dns', host: 'guild-headless.default.svc', port: 50051 });
  });

  it.each([
    [{ GUILD_ADDRESS: 'guild' }, 'GUILD_ADDRESS must be host:port (got "guild")'],
    [{ GUILD_ADDRESS: 'g:1', GUILD_FANOUT_TARGETS: 'dns:guild' }, 'GUILD_FANOUT_TARGETS must be dns:<host>:<port> or a comma list of host:port (got "dns:guild")'],
    [{ GUILD_ADDRESS: 'g:1', GUILD_FANOUT_TARGETS: 'a:1,b:99999' }, 'GUILD_FANOUT_TARGETS must be dns:<host>:<port> or a comma list of host:port (got "b:99999")'],
    [{ GUILD_FANOUT_TARGETS: 'a:1' }, 'GUILD_ADDRESS is required when GUILD_FANOUT_TARGETS is set'],
    [{ GUILD_SYNC_TIMEOUT: 'soon' }, 'GUILD_SYNC_TIMEOUT must be a duration like 500ms, 30s or 5m (got "soon")'],
  ])('refuses %j with one line naming the variable', (env, message) => {
    expect(() => load(env)).toThrow(new ConfigError(message.split(' ')[0]!, message.slice(message.indexOf(' ') + 1)));
  });
});

describe('guild instances – following a dns target', () => {
  it('reports the resolved addresses, again only when they change, and keeps them when resolution fails', async () => {
    const answers: (string[] | Error)[] = [['10.0.0.2', '10.0.0.1'], ['10.0.0.1', '10.0.0.2'], new Error('SERVFAIL'), ['10.0.0.1', 'fd00::3']];
    const seen: string[][] = [];
    const errors: unknown[] = [];
    const instances = new GuildInstances({ kind: 'dns', host: 'guild-headless', port: 50051 }, (addresses) => seen.push(addresses), {
      intervalMs: 5,
      resolve: async () => {
        const answer = answers.length > 1 ? answers.shift()! : answers[0]!;
        if (answer instanceof Error) throw answer;
        return answer;
      },
      onError: (error) => errors.push(error),
    });
    await instances.start();
    await waitFor(() => seen.length === 2, 'the second address set');
    instances.close();
    expect(seen).toEqual([['10.0.0.1:50051', '10.0.0.2:50051'], ['10.0.0.1:50051', '[fd00::3]:50051']]);
    expect(errors).toHaveLength(1);
  });

  it('resolves through the system resolver by default (localhost)', async () => {
    const seen: string[][] = [];
    const instances = new GuildInstances({ kind: 'dns', host: 'localhost', port: 1234 }, (addresses) => seen.push(addresses), { intervalMs: 60_000 });
    await instances.start();
    instances.close();
    expect(seen[0]!.some((address) => address === '127.0.0.1:1234' || address === '[::1]:1234')).toBe(true);
  });
});
