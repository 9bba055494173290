import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError } from '@switchboard/runtime';
import { loadPushApps } from './load-apps';
import { apnsEntry, EC_P256_KEY_PEM, fcmEntry, serviceAccount } from './__tests__/test-keys';

const urls = { fcmBaseUrl: 'https://fcm.googleapis.com', apnsBaseUrl: 'https://api.push.apple.com' };

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadPushApps', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'push-apps-'));
    mkdirSync(path.join(dir, 'secrets'));
    writeFileSync(path.join(dir, 'secrets', 'sa.json'), JSON.stringify(serviceAccount()));
    writeFileSync(path.join(dir, 'secrets', 'AuthKey.p8'), EC_P256_KEY_PEM);
    const apps = [
      fcmEntry({ service_account: undefined, service_account_file: 'sa.json' }),
      apnsEntry({ private_key: undefined, private_key_file: 'AuthKey.p8' }),
    ];
    writeFileSync(path.join(dir, 'secrets', 'apps.json'), JSON.stringify(apps));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('has no apps when neither variable is set', () => {
    expect(loadPushApps({ PUSH_APPS: '  ' }, urls)).toEqual([]);
  });

  it('reads PUSH_APPS_FILE, resolving key files next to it', () => {
    const apps = loadPushApps({ PUSH_APPS_FILE: 'secrets/apps.json' }, { ...urls, cwd: dir });
    expect(apps.map((app) => `${app.platform}/${app.appId}`)).toEqual(['fcm/android', 'apns/ios']);
    expect(apps[1]).toMatchObject({ privateKeyPem: EC_P256_KEY_PEM, baseUrl: 'https://api.push.apple.com' });
  });

  it('reads inline PUSH_APPS, key paths relative to the working directory', () => {
    const inline = JSON.stringify([apnsEntry({ private_key: undefined, private_key_file: 'secrets/AuthKey.p8', environment: 'sandbox' })]);
    const [app] = loadPushApps({ PUSH_APPS: inline }, { ...urls, cwd: dir });
    expect(app).toMatchObject({ appId: 'ios', baseUrl: 'https://api.sandbox.push.apple.com' });
  });

  it('points every APNs app at PUSH_APNS_BASE_URL when it is set', () => {
    const inline = JSON.stringify([apnsEntry({ environment: 'sandbox' })]);
    const [app] = loadPushApps({ PUSH_APPS: inline, PUSH_APNS_BASE_URL: 'https://127.0.0.1:9443' }, { ...urls, apnsBaseUrl: 'https://127.0.0.1:9443' });
    expect(app!.baseUrl).toBe('https://127.0.0.1:9443');
  });

  it('names PUSH_APPS_FILE in errors of the file', () => {
    writeFileSync(path.join(dir, 'bad.json'), JSON.stringify([apnsEntry({ bundle_id: undefined })]));
    const error = errorOf(() => loadPushApps({ PUSH_APPS_FILE: path.join(dir, 'bad.json') }, urls));
    expect(error.message).toBe('PUSH_APPS_FILE entry 0 ("ios"): bundle_id is required');
  });

  it('rejects an unreadable PUSH_APPS_FILE', () => {
    const error = errorOf(() => loadPushApps({ PUSH_APPS_FILE: path.join(dir, 'missing.json') }, urls));
    expect(error.variable).toBe('PUSH_APPS_FILE');
    expect(error.message).toMatch(/^PUSH_APPS_FILE cannot be read: ENOENT/);
  });

  it('rejects both variables set at once', () => {
    const error = errorOf(() => loadPushApps({ PUSH_APPS: '[]', PUSH_APPS_FILE: 'apps.json' }, urls));
    expect(error.message).toBe('PUSH_APPS and PUSH_APPS_FILE are both set; give only one');
  });
});
