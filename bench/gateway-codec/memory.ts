// Memory per compression context (RSS delta / N, N contexts in a fresh process), measured in
// child processes so one measurement's heap and malloc arenas do not skew the next.
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import type { ProbeRequest } from './memory-probe';

export function measureContext(request: ProbeRequest): number {
  const probe = path.join(__dirname, 'memory-probe.js');
  const out = execFileSync(process.execPath, ['--expose-gc', probe, JSON.stringify(request)], { encoding: 'utf8', timeout: 300_000 });
  return (JSON.parse(out) as { kbPerContext: number }).kbPerContext;
}
