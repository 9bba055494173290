import { loadServiceConfig } from '../config/common';
import { kafkaSecurity } from './backends';

describe('backends – Kafka security from config', () => {
  it('uses plaintext without SASL by default', () => {
    expect(kafkaSecurity(loadServiceConfig({}, {}))).toEqual({ ssl: false });
  });

  it('passes TLS and SASL credentials to the Kafka client', () => {
    const config = loadServiceConfig(
      {},
      { KAFKA_TLS: 'true', KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'svc', KAFKA_SASL_PASSWORD: 'secret' },
    );
    expect(kafkaSecurity(config)).toEqual({ ssl: true, sasl: { mechanism: 'plain', username: 'svc', password: 'secret' } });
  });
});
