import { ConfigError } from '@switchboard/runtime';
import { loadPushConfig } from './config';
import { apnsEntry } from './apps/__tests__/test-keys';

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('push config', () => {
  it('has defaults for every pipeline setting and no apps', () => {
    expect(loadPushConfig({})).toMatchObject({
      fcmBaseUrl: 'https://fcm.googleapis.com',
      apnsBaseUrl: 'https://api.push.apple.com',
      requestsTopic: 'switchboard.push.requests',
      consumerGroup: 'switchboard-push-delivery',
      maxInFlight: 1000,
      connectionConcurrency: 100,
      connectionsPerApp: 4,
      collapseWindowMs: 10_000,
      maxAttempts: 8,
      retryBaseMs: 500,
      retryMaxMs: 60_000,
      fcmQuotaPerMinute: 600_000,
      apnsJwtRefreshMinutes: 40,
      apps: [],
    });
  });

  it('points FCM apps at PUSH_FCM_BASE_URL', () => {
    const config = loadPushConfig({ PUSH_FCM_BASE_URL: 'http://127.0.0.1:9999', PUSH_APPS: JSON.stringify([apnsEntry()]) });
    expect(config.fcmBaseUrl).toBe('http://127.0.0.1:9999');
    expect(config.apps[0]).toMatchObject({ platform: 'apns', baseUrl: 'https://api.push.apple.com' });
  });

  it.each([
    ['PUSH_APNS_JWT_REFRESH_MINUTES', '10', 'PUSH_APNS_JWT_REFRESH_MINUTES must be an integer between 20 and 60 (got "10")'],
    ['PUSH_APNS_JWT_REFRESH_MINUTES', '61', 'PUSH_APNS_JWT_REFRESH_MINUTES must be an integer between 20 and 60 (got "61")'],
    ['PUSH_MAX_IN_FLIGHT', '0', 'PUSH_MAX_IN_FLIGHT must be an integer between 1 and 100000 (got "0")'],
    ['PUSH_FCM_BASE_URL', 'ftp://x', 'PUSH_FCM_BASE_URL must be a http or https URL (got "ftp://x")'],
    ['PUSH_RETRY_MAX_MS', '100', 'PUSH_RETRY_MAX_MS must be at least PUSH_RETRY_BASE_MS (500)'],
  ])('rejects %s=%s', (variable, value, message) => {
    const error = errorOf(() => loadPushConfig({ [variable]: value }));
    expect(error.variable).toBe(variable);
    expect(error.message).toBe(message);
  });

  it('fails on a bad apps entry when the config loads', () => {
    expect(errorOf(() => loadPushConfig({ PUSH_APPS: JSON.stringify([apnsEntry({ key_id: 'short' })]) })).message).toBe(
      'PUSH_APPS entry 0 ("ios"): key_id must be 10 upper-case letters or digits (got "short")',
    );
  });
});
