import { ConfigError, env, loadConfig } from './config';
import { loadServiceConfig, requireDatabase } from './common';

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  it('parses each kind of setting from the environment', () => {
    const config = loadConfig(
      {
        port: env.port('PORT'),
        count: env.int('COUNT', { min: 1 }),
        on: env.bool('ON'),
        mode: env.oneOf('MODE', ['a', 'b'] as const),
        brokers: env.list('BROKERS'),
        grace: env.duration('GRACE'),
        endpoint: env.url('ENDPOINT', { protocols: ['http', 'https'] }),
        name: env.optional('NAME'),
      },
      { PORT: '8080', COUNT: '3', ON: 'yes', MODE: 'b', BROKERS: 'k1:9092, k2:9092,', GRACE: '1.5s', ENDPOINT: 'http://x:4318' },
    );
    expect(config).toEqual({
      port: 8080,
      count: 3,
      on: true,
      mode: 'b',
      brokers: ['k1:9092', 'k2:9092'],
      grace: 1500,
      endpoint: 'http://x:4318',
      name: undefined,
    });
  });

  it('uses defaults for unset or blank variables', () => {
    const config = loadConfig({ port: env.port('PORT', { default: 50051 }) }, { PORT: '  ' });
    expect(config.port).toBe(50051);
  });

  it.each([
    ['PORT', env.port('PORT'), 'abc', 'PORT must be a port number (got "abc")'],
    ['PORT', env.port('PORT'), '70000', 'PORT must be a port number between 0 and 65535 (got "70000")'],
    ['ON', env.bool('ON'), 'maybe', 'ON must be true or false (got "maybe")'],
    ['MODE', env.oneOf('MODE', ['a', 'b'] as const), 'c', 'MODE must be one of a, b (got "c")'],
    ['GRACE', env.duration('GRACE'), '5 parsecs', 'GRACE must be a duration like 500ms, 30s or 5m (got "5 parsecs")'],
    ['ENDPOINT', env.url('ENDPOINT'), 'not a url', 'ENDPOINT must be a URL (got "not a url")'],
  ])('names the variable %s when its value is bad', (variable, item, value, message) => {
    const error = errorOf(() => loadConfig({ item }, { [variable]: value }));
    expect(error.variable).toBe(variable);
    expect(error.message).toBe(message);
  });

  it('names a required variable that is missing', () => {
    const error = errorOf(() => loadConfig({ secret: env.string('TOKEN_SECRET') }, {}));
    expect(error.message).toBe('TOKEN_SECRET is required but not set');
  });

  it('requires KAFKA_BROKERS in cluster mode only', () => {
    expect(loadServiceConfig({}, {}).mode).toBe('embedded');
    const error = errorOf(() => loadServiceConfig({}, { SWITCHBOARD_MODE: 'cluster' }));
    expect(error.message).toBe('KAFKA_BROKERS is required when SWITCHBOARD_MODE=cluster');
  });

  it('requires DATABASE_URL in cluster mode for services that own state', () => {
    const config = loadServiceConfig({}, { SWITCHBOARD_MODE: 'cluster', KAFKA_BROKERS: 'k:9092' });
    expect(errorOf(() => requireDatabase(config)).variable).toBe('DATABASE_URL');
  });
});

describe('config – Kafka security', () => {
  it('asks for SASL credentials when a mechanism is set', () => {
    const error = errorOf(() => loadServiceConfig({}, { KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'u' }));
    expect(error.message).toBe('KAFKA_SASL_PASSWORD is required when KAFKA_SASL_MECHANISM=scram-sha-512');
  });

  it('rejects an unknown SASL mechanism by name', () => {
    expect(errorOf(() => loadServiceConfig({}, { KAFKA_SASL_MECHANISM: 'kerberos' })).variable).toBe('KAFKA_SASL_MECHANISM');
  });
});
