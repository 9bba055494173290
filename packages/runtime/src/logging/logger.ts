// One log schema everywhere: pino JSON on stdout with `service`, `instance` and, inside a trace,
// `trace_id`/`span_id`, so a log line can be found from a trace and the other way round.
import pino, { Logger, LevelWithSilent } from 'pino';
import { activeTraceIds } from '../telemetry/propagation';

export type { Logger } from 'pino';

export interface LoggerOptions {
  service: string;
  instance?: string;
  level?: LevelWithSilent;
  /** Where to write; stdout by default. Tests pass a stream to read the lines back. */
  destination?: pino.DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  const base: Record<string, string> = { service: options.service };
  if (options.instance) base.instance = options.instance;
  return pino(
    {
      level: options.level ?? 'info',
      base,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: () => activeTraceIds() ?? {},
    },
    options.destination ?? pino.destination({ fd: 1, sync: false }),
  );
}
