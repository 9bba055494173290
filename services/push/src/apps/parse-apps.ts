// The apps JSON (PUSH_APPS or the file PUSH_APPS_FILE names): an array of entries
//   {app_id, platform: 'fcm', project_id?, service_account_file | service_account}
//   {app_id, platform: 'apns', team_id, key_id, private_key_file | private_key, bundle_id, environment?}
// turned into PushAppConfig, every field checked; the first problem throws a ConfigError naming
// the entry and field.
import { ConfigError } from '@switchboard/runtime';
import { AppEntry } from './app-entry';
import { apnsKeyProblem, normalizePem, rsaKeyProblem } from './app-keys';
import { APNS_PRODUCTION_URL, APNS_SANDBOX_URL, GOOGLE_TOKEN_URI, PLATFORMS } from './push-app';
import type { ApnsAppConfig, FcmAppConfig, GoogleServiceAccount, PushAppConfig } from './push-app';

export interface ParseAppsOptions {
  /** The variable errors name (PUSH_APPS or PUSH_APPS_FILE). */
  variable: string;
  /** Reads a key file named by an entry; relative paths are the reader's to resolve. */
  readFile(path: string): string;
  fcmBaseUrl: string;
  /** PUSH_APNS_BASE_URL when set explicitly: every APNs app then goes there (tests: a fake). */
  apnsBaseUrl?: string;
}

// Ids travel in device rows and metric labels: short, no spaces.
const APP_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const APP_ID_FORM = '1–128 letters, digits or . _ : - (starting with a letter or digit)';
const APPLE_ID = /^[A-Z0-9]{10}$/;
const APPLE_ID_FORM = '10 upper-case letters or digits';
// Goes into the FCM URL path; domain-scoped projects look like `example.com:project`.
const PROJECT_ID = /^[a-z0-9][a-z0-9.:-]{0,99}$/;
const BUNDLE_ID = /^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/;

const FCM_FIELDS = ['app_id', 'platform', 'project_id', 'service_account', 'service_account_file'];
const APNS_FIELDS = ['app_id', 'platform', 'team_id', 'key_id', 'private_key', 'private_key_file', 'bundle_id', 'environment'];

export function parseApps(json: string, options: ParseAppsOptions): PushAppConfig[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw new ConfigError(options.variable, `must be JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(parsed)) throw new ConfigError(options.variable, 'must be a JSON array of apps');
  const apps = parsed.map((value, index) => parseApp(AppEntry.of(options.variable, index, value), options));
  const seen = new Set<string>();
  apps.forEach((app, index) => {
    const key = `${app.platform}/${app.appId}`;
    if (seen.has(key)) throw new ConfigError(options.variable, `entry ${index} ("${app.appId}"): app_id repeats another ${app.platform} app`);
    seen.add(key);
  });
  return apps;
}

function parseApp(entry: AppEntry, options: ParseAppsOptions): PushAppConfig {
  const platform = entry.oneOf('platform', PLATFORMS);
  return platform === 'fcm' ? parseFcmApp(entry, options) : parseApnsApp(entry, options);
}

function parseFcmApp(entry: AppEntry, options: ParseAppsOptions): FcmAppConfig {
  entry.onlyKeys(FCM_FIELDS);
  const appId = entry.string('app_id', APP_ID, APP_ID_FORM);
  const source = entry.exactlyOne('service_account', 'service_account_file');
  const field = source === 'inline' ? 'service_account' : 'service_account_file';
  const serviceAccount = parseServiceAccount(entry, field, source === 'inline' ? entry.raw(field) : readKeyFile(entry, field, options));
  // A service account key file names its project; an explicit project_id wins (sending to another project).
  const projectId = entry.optionalString('project_id', PROJECT_ID, 'a Google Cloud project id') ?? serviceAccount.projectId;
  if (projectId === undefined) throw entry.error('project_id', 'is required (the service account does not name one)');
  if (!PROJECT_ID.test(projectId)) throw entry.error(`${field}.project_id`, `must be a Google Cloud project id (got "${projectId}")`);
  return { platform: 'fcm', appId, projectId, serviceAccount: serviceAccount.account, baseUrl: options.fcmBaseUrl };
}

function parseApnsApp(entry: AppEntry, options: ParseAppsOptions): ApnsAppConfig {
  entry.onlyKeys(APNS_FIELDS);
  const appId = entry.string('app_id', APP_ID, APP_ID_FORM);
  const teamId = entry.string('team_id', APPLE_ID, APPLE_ID_FORM);
  const keyId = entry.string('key_id', APPLE_ID, APPLE_ID_FORM);
  const bundleId = entry.string('bundle_id', BUNDLE_ID, 'a bundle id like com.example.app');
  const environment = entry.oneOf('environment', ['production', 'sandbox'] as const, 'production');
  const source = entry.exactlyOne('private_key', 'private_key_file');
  const field = source === 'inline' ? 'private_key' : 'private_key_file';
  const privateKeyPem = normalizePem(source === 'inline' ? entry.string('private_key') : readKeyFile(entry, field, options));
  const problem = apnsKeyProblem(privateKeyPem);
  if (problem) throw entry.error(field, problem);
  const baseUrl = options.apnsBaseUrl ?? (environment === 'sandbox' ? APNS_SANDBOX_URL : APNS_PRODUCTION_URL);
  return { platform: 'apns', appId, teamId, keyId, privateKeyPem, bundleId, environment, baseUrl };
}

function readKeyFile(entry: AppEntry, field: string, options: ParseAppsOptions): string {
  const path = entry.string(field);
  try {
    return options.readFile(path);
  } catch (error) {
    throw entry.error(field, `cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message} (${path})`);
  }
}

/** The Google JSON, inline (an object, or that object as a JSON string) or a key file's text. */
function parseServiceAccount(entry: AppEntry, field: string, value: unknown): { account: GoogleServiceAccount; projectId?: string } {
  let json = value;
  if (typeof value === 'string') {
    try {
      json = JSON.parse(value);
    } catch {
      throw entry.error(field, 'must be a Google service account key (JSON)');
    }
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw entry.error(field, 'must be a Google service account key (a JSON object)');
  const account = json as Record<string, unknown>;
  const text = (name: string): string | undefined => (typeof account[name] === 'string' && account[name] !== '' ? (account[name] as string) : undefined);
  const clientEmail = text('client_email');
  if (!clientEmail || !clientEmail.includes('@')) throw entry.error(`${field}.client_email`, 'is required (an e-mail address)');
  const rawKey = text('private_key');
  if (!rawKey) throw entry.error(`${field}.private_key`, 'is required');
  const privateKey = normalizePem(rawKey);
  const problem = rsaKeyProblem(privateKey);
  if (problem) throw entry.error(`${field}.private_key`, problem);
  const tokenUri = text('token_uri') ?? GOOGLE_TOKEN_URI;
  if (!/^https?:\/\/\S+$/.test(tokenUri)) throw entry.error(`${field}.token_uri`, `must be an http(s) URL (got "${tokenUri}")`);
  return { account: { client_email: clientEmail, private_key: privateKey, token_uri: tokenUri }, projectId: text('project_id') };
}
