// The slice of a logger the gRPC layer needs. pino's Logger satisfies it, so services pass
// their own; the default writes one JSON line to stderr, so errors are never swallowed even
// when nothing is wired.
export interface GrpcLogger {
  error(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

function writeLine(level: string, fields: Record<string, unknown>, message: string): void {
  const entry: Record<string, unknown> = { level, time: Date.now(), name: 'grpc', msg: message };
  for (const [key, value] of Object.entries(fields)) {
    entry[key] = value instanceof Error ? { type: value.name, message: value.message, stack: value.stack } : value;
  }
  process.stderr.write(`${JSON.stringify(entry)}\n`);
}

export const stderrGrpcLogger: GrpcLogger = {
  error: (fields, message) => writeLine('error', fields, message),
  warn: (fields, message) => writeLine('warn', fields, message),
};
