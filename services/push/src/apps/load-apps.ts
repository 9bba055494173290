// Where the apps come from: PUSH_APPS_FILE (a JSON file, e.g. a mounted Kubernetes secret) or
// PUSH_APPS (the same JSON inline); neither means no apps (the registry then refuses every
// registration, naming the missing configuration). Key files named by relative paths are read
// relative to the apps file, so a secret volume can hold the JSON and its keys side by side.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '@switchboard/runtime';
import { parseApps } from './parse-apps';
import type { PushAppConfig } from './push-app';

type Source = Readonly<Record<string, string | undefined>>;

export interface LoadAppsOptions {
  fcmBaseUrl: string;
  /** Used only when PUSH_APNS_BASE_URL is set (else each app's environment picks Apple's host). */
  apnsBaseUrl: string;
  /** Where relative key paths of inline PUSH_APPS resolve (default: the working directory). */
  cwd?: string;
}

function set(source: Source, variable: string): string | undefined {
  const value = source[variable];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

export function loadPushApps(source: Source, options: LoadAppsOptions): PushAppConfig[] {
  const file = set(source, 'PUSH_APPS_FILE');
  const inline = set(source, 'PUSH_APPS');
  if (file !== undefined && inline !== undefined) throw new ConfigError('PUSH_APPS', 'and PUSH_APPS_FILE are both set; give only one');
  if (file === undefined && inline === undefined) return [];
  const cwd = options.cwd ?? process.cwd();
  let json = inline;
  let baseDir = cwd;
  if (file !== undefined) {
    const filePath = path.resolve(cwd, file);
    try {
      json = readFileSync(filePath, 'utf8');
    } catch (error) {
      throw new ConfigError('PUSH_APPS_FILE', `cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message} (${filePath})`);
    }
    baseDir = path.dirname(filePath);
  }
  return parseApps(json!, {
    variable: file !== undefined ? 'PUSH_APPS_FILE' : 'PUSH_APPS',
    readFile: (keyPath) => readFileSync(path.resolve(baseDir, keyPath), 'utf8'),
    fcmBaseUrl: options.fcmBaseUrl,
    ...(set(source, 'PUSH_APNS_BASE_URL') !== undefined ? { apnsBaseUrl: options.apnsBaseUrl } : {}),
  });
}
