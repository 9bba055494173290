// Who this service instance is: answered by every service's Describe RPC and logged at start.
import { randomBytes } from 'node:crypto';
import * as os from 'node:os';
import { commonV1, create, timestampFromDate } from '@switchboard/proto';
import type { MessageShape } from '@switchboard/proto';
import type { RunMode } from '../config/common';

export type InstanceInfo = MessageShape<typeof commonV1.InstanceInfoSchema>;

/** The version of the running code: SWITCHBOARD_VERSION (set by the image build) or the package's. */
export function runningVersion(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return env.SWITCHBOARD_VERSION?.trim() || '0.1.0-dev';
}

/** A unique id per process start: the configured one (pod name) or hostname plus a random suffix. */
export function newInstanceId(configured?: string): string {
  return configured ?? `${os.hostname()}-${randomBytes(3).toString('hex')}`;
}

export function instanceInfo(service: string, instanceId: string, mode: RunMode, startedAt: Date): InstanceInfo {
  return create(commonV1.InstanceInfoSchema, {
    service,
    instanceId,
    version: runningVersion(),
    startedAt: timestampFromDate(startedAt),
    mode: mode === 'embedded' ? commonV1.InstanceMode.EMBEDDED : commonV1.InstanceMode.CLUSTER,
  });
}
