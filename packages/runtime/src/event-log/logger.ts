// The little the event log needs from a logger. A pino Logger (../logging) fits it; the default
// writes warnings and errors as JSON lines to stderr, and nothing else.

export type LogFn = (obj: Record<string, unknown>, msg?: string) => void;

export interface EventLogLogger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}

function stderrLine(level: string): LogFn {
  return (obj, msg) => {
    const line = { level, time: new Date().toISOString(), component: 'event-log', msg, ...serialise(obj) };
    process.stderr.write(`${JSON.stringify(line)}\n`);
  };
}

function serialise(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj)) {
    out[key] = value instanceof Error ? { name: value.name, message: value.message, cause: describeCause(value) } : value;
  }
  return out;
}

function describeCause(err: Error): string | undefined {
  const cause = (err as { cause?: unknown }).cause;
  return cause instanceof Error ? `${cause.name}: ${cause.message}` : cause === undefined ? undefined : String(cause);
}

const noop: LogFn = () => undefined;

export const defaultEventLogLogger: EventLogLogger = {
  debug: noop,
  info: noop,
  warn: stderrLine('warn'),
  error: stderrLine('error'),
};

/** A logger that drops everything (tests that provoke failures on purpose). */
export const silentEventLogLogger: EventLogLogger = { debug: noop, info: noop, warn: noop, error: noop };
