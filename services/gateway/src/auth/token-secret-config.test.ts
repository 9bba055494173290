// The signing key and the other auth/limits settings come from the gateway config: required and
// checked in cluster mode, a loudly-announced well-known key in embedded mode.
import { ConfigError } from '@switchboard/runtime';
import { loadGatewayConfig } from '../config';
import { EMBEDDED_DEV_TOKEN_SECRET } from './token-secret';

const cluster = { SWITCHBOARD_MODE: 'cluster', KAFKA_BROKERS: 'k:9092', DATABASE_URL: 'postgres://u@h/db' };

function configError(env: Record<string, string>): string | undefined {
  try {
    loadGatewayConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  return undefined;
}

describe('gateway auth configuration', () => {
  it('requires GATEWAY_TOKEN_SECRET in cluster mode', () => {
    expect(configError(cluster)).toBe('GATEWAY_TOKEN_SECRET is required when SWITCHBOARD_MODE=cluster');
  });

  it('refuses a short secret', () => {
    expect(configError({ ...cluster, GATEWAY_TOKEN_SECRET: 'short' })).toBe('GATEWAY_TOKEN_SECRET must be at least 32 characters (got 5)');
  });

  it('uses the configured secret when set', () => {
    const config = loadGatewayConfig({ ...cluster, GATEWAY_TOKEN_SECRET: 's'.repeat(40) });
    expect(config).toMatchObject({ tokenSecret: 's'.repeat(40), tokenSecretSource: 'configured' });
  });

  it('derives the stable, well-known dev key in embedded mode', () => {
    const config = loadGatewayConfig({});
    expect(config).toMatchObject({ tokenSecret: EMBEDDED_DEV_TOKEN_SECRET, tokenSecretSource: 'embedded-dev-default' });
    expect(loadGatewayConfig({}).tokenSecret).toBe(config.tokenSecret);
  });

  it('has Discord-like defaults for the limits', () => {
    expect(loadGatewayConfig({})).toMatchObject({
      authCacheTtlMs: 5_000,
      sessionStartLimit: 1000,
      sessionStartWindowMs: 86_400_000,
      maxConcurrency: 1,
      identifyIntervalMs: 5_000,
      commandLimit: 120,
      commandWindowMs: 60_000,
      maxSessions: 25_000,
      publicUrl: undefined,
    });
  });

  it('accepts a ws(s) public URL and refuses a query string or another scheme', () => {
    expect(loadGatewayConfig({ GATEWAY_PUBLIC_URL: 'wss://gateway.example.com' }).publicUrl).toBe('wss://gateway.example.com');
    expect(configError({ GATEWAY_PUBLIC_URL: 'wss://g.example.com/?v=10' })).toMatch(/^GATEWAY_PUBLIC_URL must not carry a query string/);
    expect(configError({ GATEWAY_PUBLIC_URL: 'https://g.example.com' })).toMatch(/^GATEWAY_PUBLIC_URL must be a ws:\/\/ or wss:\/\/ URL/);
    expect(configError({ GATEWAY_MAX_CONCURRENCY: '0' })).toMatch(/^GATEWAY_MAX_CONCURRENCY must be an integer between 1/);
  });
});
