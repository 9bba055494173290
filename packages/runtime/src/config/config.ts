// Configuration comes from the environment only (12-factor), is validated once at start and is
// typed from its spec. A bad value fails fast with an error that names the variable, so an SRE
// reading one log line knows what to fix.

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly variable: string,
    readonly problem: string,
  ) {
    super(`${variable} ${problem}`);
  }
}

type Source = Readonly<Record<string, string | undefined>>;

/** One variable of a config spec: its name and how to parse it. */
export interface Setting<T> {
  readonly variable: string;
  read(source: Source): T;
}

interface Options<T> {
  /** Used when the variable is unset or empty. Without a default the variable is required. */
  default?: T;
  description?: string;
}

function raw(source: Source, variable: string): string | undefined {
  const value = source[variable];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function setting<T>(variable: string, options: Options<T>, parse: (text: string) => T): Setting<T> {
  return {
    variable,
    read(source) {
      const text = raw(source, variable);
      if (text === undefined) {
        if ('default' in options) return options.default as T;
        throw new ConfigError(variable, 'is required but not set');
      }
      return parse(text);
    },
  };
}

function integer(variable: string, text: string, min: number, max: number, what: string): number {
  if (!/^-?\d+$/.test(text)) throw new ConfigError(variable, `must be ${what} (got "${text}")`);
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(variable, `must be ${what} between ${min} and ${max} (got "${text}")`);
  }
  return value;
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Builders for each kind of setting. */
export const env = {
  string(variable: string, options: Options<string> = {}): Setting<string> {
    return setting(variable, options, (text) => text);
  },
  /** A string that may be absent (undefined when unset). */
  optional(variable: string): Setting<string | undefined> {
    return setting<string | undefined>(variable, { default: undefined }, (text) => text);
  },
  int(variable: string, options: Options<number> & { min?: number; max?: number } = {}): Setting<number> {
    const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = options;
    return setting(variable, options, (text) => integer(variable, text, min, max, 'an integer'));
  },
  /** A TCP port; 0 asks the OS for a free one (useful in tests). */
  port(variable: string, options: Options<number> = {}): Setting<number> {
    return setting(variable, options, (text) => integer(variable, text, 0, 65535, 'a port number'));
  },
  bool(variable: string, options: Options<boolean> = {}): Setting<boolean> {
    return setting(variable, options, (text) => {
      const lower = text.toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(lower)) return true;
      if (['0', 'false', 'no', 'off'].includes(lower)) return false;
      throw new ConfigError(variable, `must be true or false (got "${text}")`);
    });
  },
  oneOf<const V extends string>(variable: string, values: readonly V[], options: Options<V> = {}): Setting<V> {
    return setting(variable, options, (text) => {
      if ((values as readonly string[]).includes(text)) return text as V;
      throw new ConfigError(variable, `must be one of ${values.join(', ')} (got "${text}")`);
    });
  },
  /** A comma-separated list; empty items are dropped. */
  list(variable: string, options: Options<string[]> = {}): Setting<string[]> {
    return setting(variable, options, (text) =>
      text
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== ''),
    );
  },
  /** A duration in milliseconds, written as `250ms`, `30s`, `5m`, `1h` or a bare number of ms. */
  duration(variable: string, options: Options<number> = {}): Setting<number> {
    return setting(variable, options, (text) => {
      const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(text);
      if (!match) throw new ConfigError(variable, `must be a duration like 500ms, 30s or 5m (got "${text}")`);
      return Math.round(Number(match[1]) * DURATION_UNITS[match[2] ?? 'ms']!);
    });
  },
  url(variable: string, options: Options<string> & { protocols?: string[] } = {}): Setting<string> {
    return setting(variable, options, (text) => {
      let parsed: URL;
      try {
        parsed = new URL(text);
      } catch {
        throw new ConfigError(variable, `must be a URL (got "${text}")`);
      }
      if (options.protocols && !options.protocols.includes(parsed.protocol.replace(/:$/, ''))) {
        throw new ConfigError(variable, `must be a ${options.protocols.join(' or ')} URL (got "${text}")`);
      }
      return text;
    });
  },
};

export type ConfigSpec = Record<string, Setting<unknown>>;
export type ConfigOf<S extends ConfigSpec> = { readonly [K in keyof S]: S[K] extends Setting<infer T> ? T : never };

/** Reads and validates every setting of the spec; throws the first ConfigError found. */
export function loadConfig<S extends ConfigSpec>(spec: S, source: Source = process.env): ConfigOf<S> {
  const config: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(spec)) config[key] = item.read(source);
  return config as ConfigOf<S>;
}

/** For rules between settings, e.g. "KAFKA_BROKERS is required in cluster mode". */
export function requireSetting(condition: boolean, variable: string, problem: string): void {
  if (!condition) throw new ConfigError(variable, problem);
}
