// Where the presence service is (PRESENCE_ADDRESS) and how long a read may take. Unset address:
// no presence service, presence lists are empty (NO_PRESENCES).
import { ConfigError, env } from '@switchboard/runtime';
import type { Setting } from '@switchboard/runtime';
import { DEFAULT_PRESENCE_CALL_TIMEOUT_MS } from './grpc-presence-reader';

const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})$/;

function hostPortSetting(variable: string): Setting<string | undefined> {
  return {
    variable,
    read(source) {
      const text = source[variable]?.trim();
      if (!text) return undefined;
      const match = HOST_PORT.exec(text);
      const port = match ? Number(match[2]) : 0;
      if (port < 1 || port > 65535) throw new ConfigError(variable, `must be host:port (got "${text}")`);
      return text;
    },
  };
}

export const presenceReaderSpec = {
  /** The presence service (GetPresences), host:port behind its Service; unset: no presences are read. */
  presenceAddress: hostPortSetting('PRESENCE_ADDRESS'),
  /**
   * Deadline of each GetPresences call. Short: the read sits inside READY's GetUserGuilds and op
   * 8, and on expiry the payloads go out without presences rather than late.
   */
  presenceCallTimeoutMs: env.duration('PRESENCE_CALL_TIMEOUT', { default: DEFAULT_PRESENCE_CALL_TIMEOUT_MS }),
};
