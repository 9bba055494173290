// Imported first by gateway.bench.ts: resolves @switchboard/runtime and @switchboard/proto to the
// copies compiled from src next to this file (bench/gateway/dist), so the benchmark runs the
// working tree's code rather than whatever packages/*/dist was last built from.
import Module = require('node:module');
import * as path from 'node:path';

const DIST_ROOT = path.resolve(__dirname, '../..');
const MAPPED: Record<string, string> = {
  '@switchboard/runtime': path.join(DIST_ROOT, 'packages/runtime/src/index.js'),
  '@switchboard/proto': path.join(DIST_ROOT, 'packages/proto/src/index.js'),
};

const internals = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
const original = internals._resolveFilename;
internals._resolveFilename = function resolveFilename(request: string, ...rest: unknown[]): string {
  return original.call(this, MAPPED[request] ?? request, ...rest);
};
