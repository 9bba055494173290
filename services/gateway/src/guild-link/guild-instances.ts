// Where the guild service's instances are: GUILD_ADDRESS (one host:port, behind a load balancer)
// for unary calls, and GUILD_FANOUT_TARGETS for the fan-out streams, which must reach EVERY
// instance: a fixed list, or `dns:<host>:<port>`, every A/AAAA record of a headless Service,
// re-resolved periodically (a new address opens a stream, a vanished one closes it).
import { lookup } from 'node:dns/promises';
import { ConfigError, env } from '@switchboard/runtime';
import type { ConfigOf, Setting } from '@switchboard/runtime';

export type FanoutTargets =
  | { kind: 'static'; addresses: string[] }
  | { kind: 'dns'; host: string; port: number };

const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})$/;

/** host:port (IPv6 hosts in brackets); undefined when malformed. */
export function parseHostPort(text: string): { host: string; port: number } | undefined {
  const match = HOST_PORT.exec(text.trim());
  if (!match) return undefined;
  const port = Number(match[2]);
  if (port < 1 || port > 65535) return undefined;
  return { host: match[1]!, port };
}

function hostPortSetting(variable: string): Setting<string | undefined> {
  return {
    variable,
    read(source) {
      const text = source[variable]?.trim();
      if (!text) return undefined;
      if (!parseHostPort(text)) throw new ConfigError(variable, `must be host:port (got "${text}")`);
      return text;
    },
  };
}

export function parseFanoutTargets(variable: string, text: string): FanoutTargets {
  if (text.startsWith('dns:')) {
    const target = parseHostPort(text.slice(4));
    if (!target) throw new ConfigError(variable, `must be dns:<host>:<port> or a comma list of host:port (got "${text}")`);
    return { kind: 'dns', ...target };
  }
  const addresses = text.split(',').map((item) => item.trim()).filter((item) => item !== '');
  const bad = addresses.find((address) => !parseHostPort(address));
  if (bad !== undefined || addresses.length === 0) {
    throw new ConfigError(variable, `must be dns:<host>:<port> or a comma list of host:port (got "${bad ?? text}")`);
  }
  return { kind: 'static', addresses: [...new Set(addresses)] };
}

function fanoutTargetsSetting(variable: string): Setting<FanoutTargets | undefined> {
  return {
    variable,
    read(source) {
      const text = source[variable]?.trim();
      return text ? parseFanoutTargets(variable, text) : undefined;
    },
  };
}

export const guildLinkSpec = {
  /** The guild service for unary calls (GetUserGuilds, RequestGuildMembers). Required in cluster mode. */
  guildAddress: hostPortSetting('GUILD_ADDRESS'),
  /** Every guild instance, for the fan-out streams; default [GUILD_ADDRESS]. */
  guildFanoutTargets: fanoutTargetsSetting('GUILD_FANOUT_TARGETS'),
  /** How often `dns:` fan-out targets are re-resolved. */
  guildFanoutDnsIntervalMs: env.duration('GUILD_FANOUT_DNS_INTERVAL', { default: 10_000 }),
  /** How long READY (and a late GUILD_CREATE) waits for every guild instance to apply an interest change. */
  guildSyncTimeoutMs: env.duration('GUILD_SYNC_TIMEOUT', { default: 5_000 }),
  /** Deadline of GetUserGuilds and RequestGuildMembers. */
  guildCallTimeoutMs: env.duration('GUILD_CALL_TIMEOUT', { default: 10_000 }),
  /** op 8 REQUEST_GUILD_MEMBERS budget per session: this many per window, then RATE_LIMITED. */
  memberRequestLimit: env.int('GATEWAY_MEMBER_REQUEST_LIMIT', { default: 10, min: 1 }),
  memberRequestWindowMs: env.duration('GATEWAY_MEMBER_REQUEST_WINDOW', { default: 10_000 }),
};

export type GuildLinkConfig = ConfigOf<typeof guildLinkSpec>;

/** Formats a resolved address as a gRPC target (IPv6 in brackets). */
function target(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

export type Resolve = (host: string) => Promise<string[]>;

const resolveAll: Resolve = async (host) => (await lookup(host, { all: true })).map((entry) => entry.address);

/**
 * Tells `onTargets` the current set of fan-out addresses: once for a static list, and on every
 * change for a `dns:` target. A failed resolution keeps the previous set (the streams reconnect
 * on their own); an empty answer is taken as is (every instance gone).
 */
export class GuildInstances {
  #timer: NodeJS.Timeout | undefined;
  #current = '';
  #closed = false;

  constructor(
    readonly targets: FanoutTargets,
    readonly onTargets: (addresses: string[]) => void,
    readonly options: { intervalMs: number; resolve?: Resolve; onError?: (error: unknown) => void },
  ) {}

  async start(): Promise<void> {
    if (this.targets.kind === 'static') {
      this.onTargets(this.targets.addresses);
      return;
    }
    await this.refresh();
    this.#schedule();
  }

  async refresh(): Promise<void> {
    if (this.targets.kind !== 'dns' || this.#closed) return;
    const { host, port } = this.targets;
    let addresses: string[];
    try {
      addresses = [...new Set((await (this.options.resolve ?? resolveAll)(host)).map((address) => target(address, port)))].sort();
    } catch (error) {
      this.options.onError?.(error);
      return;
    }
    const key = addresses.join(',');
    if (key === this.#current || this.#closed) return;
    this.#current = key;
    this.onTargets(addresses);
  }

  #schedule(): void {
    if (this.#closed) return;
    this.#timer = setTimeout(() => {
      this.refresh().finally(() => this.#schedule());
    }, this.options.intervalMs);
    this.#timer.unref();
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
  }
}
