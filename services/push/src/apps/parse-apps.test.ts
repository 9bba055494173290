import { ConfigError } from '@switchboard/runtime';
import { parseApps } from './parse-apps';
import type { ParseAppsOptions } from './parse-apps';
import { apnsEntry, EC_P256_KEY_PEM, EC_P384_KEY_PEM, fcmEntry, RSA_KEY_PEM, serviceAccount } from './__tests__/test-keys';

const files: Record<string, string> = {
  'keys/sa.json': JSON.stringify(serviceAccount()),
  'keys/AuthKey.p8': EC_P256_KEY_PEM,
};

const options: ParseAppsOptions = {
  variable: 'PUSH_APPS',
  readFile: (path) => {
    const text = files[path];
    if (text === undefined) throw Object.assign(new Error(`no file ${path}`), { code: 'ENOENT' });
    return text;
  },
  fcmBaseUrl: 'https://fcm.googleapis.com',
};

function parse(entries: unknown, overrides: Partial<ParseAppsOptions> = {}) {
  return parseApps(JSON.stringify(entries), { ...options, ...overrides });
}

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseApps – good entries', () => {
  it('turns an FCM entry with an inline service account into the provider config', () => {
    expect(parse([fcmEntry()])).toEqual([
      {
        platform: 'fcm',
        appId: 'android',
        projectId: 'switchboard-test',
        serviceAccount: { client_email: 'push@switchboard-test.iam.gserviceaccount.com', private_key: RSA_KEY_PEM, token_uri: 'https://oauth2.googleapis.com/token' },
        baseUrl: 'https://fcm.googleapis.com',
      },
    ]);
  });

  it('reads a service account file and takes the project from it when project_id is absent', () => {
    const [app] = parse([fcmEntry({ service_account: undefined, service_account_file: 'keys/sa.json', project_id: undefined })]);
    expect(app).toMatchObject({ platform: 'fcm', projectId: 'switchboard-test' });
  });

  it('accepts the service account as a JSON string with escaped newlines in its key', () => {
    const escaped = JSON.stringify(serviceAccount({ private_key: RSA_KEY_PEM.replace(/\n/g, '\\n') }));
    const [app] = parse([fcmEntry({ service_account: escaped })]);
    expect(app!.platform === 'fcm' && app!.serviceAccount.private_key).toBe(RSA_KEY_PEM);
  });

  it('defaults the token endpoint to Google OAuth when the service account has none', () => {
    const [app] = parse([fcmEntry({ service_account: serviceAccount({ token_uri: undefined }) })]);
    expect(app!.platform === 'fcm' && app!.serviceAccount.token_uri).toBe('https://oauth2.googleapis.com/token');
  });

  it('turns an APNs entry into the provider config, production by default', () => {
    expect(parse([apnsEntry()])).toEqual([
      {
        platform: 'apns',
        appId: 'ios',
        teamId: 'ABCDE12345',
        keyId: 'KEY1234567',
        privateKeyPem: EC_P256_KEY_PEM,
        bundleId: 'com.example.chat',
        environment: 'production',
        baseUrl: 'https://api.push.apple.com',
      },
    ]);
  });

  it('sends sandbox apps to the sandbox host unless a base URL is set explicitly', () => {
    const entry = apnsEntry({ environment: 'sandbox', private_key: undefined, private_key_file: 'keys/AuthKey.p8' });
    expect(parse([entry])[0]).toMatchObject({ environment: 'sandbox', baseUrl: 'https://api.sandbox.push.apple.com', privateKeyPem: EC_P256_KEY_PEM });
    expect(parse([entry], { apnsBaseUrl: 'https://127.0.0.1:8443' })[0]!.baseUrl).toBe('https://127.0.0.1:8443');
  });

  it('allows one app id on both platforms', () => {
    expect(parse([fcmEntry({ app_id: 'main' }), apnsEntry({ app_id: 'main' })]).map((a) => `${a.platform}/${a.appId}`)).toEqual(['fcm/main', 'apns/main']);
  });

  it('reads an empty array as no apps', () => {
    expect(parse([])).toEqual([]);
  });
});

describe('parseApps – bad entries are named', () => {
  it.each([
    ['not JSON', '[{', /^PUSH_APPS must be JSON/],
    ['not an array', '{"app_id":"x"}', /^PUSH_APPS must be a JSON array of apps$/],
    ['an entry that is not an object', '["android"]', /^PUSH_APPS entry 0 must be a JSON object$/],
  ])('rejects %s', (_what, json, message) => {
    expect(errorOf(() => parseApps(json, options)).message).toMatch(message);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a missing platform', fcmEntry({ platform: undefined }), 'entry 1 ("android"): platform is required'],
    ['an unknown platform', fcmEntry({ platform: 'hms' }), 'entry 1 ("android"): platform must be one of fcm, apns (got "hms")'],
    ['a missing app_id', fcmEntry({ app_id: undefined }), 'entry 1: app_id is required'],
    ['an app_id with spaces', fcmEntry({ app_id: 'my app' }), 'entry 1 ("my app"): app_id must be 1–128 letters, digits or . _ : - (starting with a letter or digit) (got "my app")'],
    ['an unknown field', fcmEntry({ projectId: 'x' }), 'entry 1 ("android"): projectId is not a field of this kind of app'],
    ['no service account', fcmEntry({ service_account: undefined }), 'entry 1 ("android"): service_account / service_account_file is required (one of them)'],
    ['both service account forms', fcmEntry({ service_account_file: 'keys/sa.json' }), 'entry 1 ("android"): service_account / service_account_file are both set; give only one'],
    ['an unreadable service account file', fcmEntry({ service_account: undefined, service_account_file: 'nope.json' }), 'entry 1 ("android"): service_account_file cannot be read: ENOENT (nope.json)'],
    ['a service account without client_email', fcmEntry({ service_account: serviceAccount({ client_email: undefined }) }), 'entry 1 ("android"): service_account.client_email is required'],
    ['a service account with a broken key', fcmEntry({ service_account: serviceAccount({ private_key: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n' }) }), 'entry 1 ("android"): service_account.private_key must be a PEM private key'],
    ['a service account with an EC key', fcmEntry({ service_account: serviceAccount({ private_key: EC_P256_KEY_PEM }) }), 'entry 1 ("android"): service_account.private_key must be an RSA key (got ec)'],
    ['a bad project id', fcmEntry({ project_id: 'My Project' }), 'entry 1 ("android"): project_id must be a Google Cloud project id (got "My Project")'],
    ['no project at all', fcmEntry({ project_id: undefined, service_account: serviceAccount({ project_id: undefined }) }), 'entry 1 ("android"): project_id is required (the service account does not name one)'],
    ['a short team_id', apnsEntry({ team_id: 'ABC' }), 'entry 1 ("ios"): team_id must be 10 upper-case letters or digits (got "ABC")'],
    ['a missing key_id', apnsEntry({ key_id: undefined }), 'entry 1 ("ios"): key_id is required'],
    ['a missing bundle_id', apnsEntry({ bundle_id: undefined }), 'entry 1 ("ios"): bundle_id is required'],
    ['a bad environment', apnsEntry({ environment: 'development' }), 'entry 1 ("ios"): environment must be one of production, sandbox (got "development")'],
    ['an APNs key of the wrong curve', apnsEntry({ private_key: EC_P384_KEY_PEM }), 'entry 1 ("ios"): private_key must be a P-256 EC key (ES256), got ec secp384r1'],
    ['an RSA key for APNs', apnsEntry({ private_key: RSA_KEY_PEM }), 'entry 1 ("ios"): private_key must be a P-256 EC key (ES256), got rsa'],
    ['an APNs field on an FCM app', fcmEntry({ bundle_id: 'com.x' }), 'entry 1 ("android"): bundle_id is not a field of this kind of app'],
    ['a non-string field', apnsEntry({ team_id: 1234567890 }), 'entry 1 ("ios"): team_id must be a string'],
  ])('rejects %s', (_what, entry, message) => {
    const error = errorOf(() => parse([apnsEntry({ app_id: 'first' }), entry]));
    expect(error.variable).toBe('PUSH_APPS');
    expect(error.message.startsWith(`PUSH_APPS ${message}`)).toBe(true);
  });

  it('rejects two apps with one id on one platform', () => {
    expect(errorOf(() => parse([fcmEntry(), fcmEntry()])).message).toBe('PUSH_APPS entry 1 ("android"): app_id repeats another fcm app');
  });

  it('never puts a key into the error', () => {
    const error = errorOf(() => parse([apnsEntry({ private_key: RSA_KEY_PEM })]));
    expect(error.message).not.toContain('PRIVATE KEY');
  });
});
