// Addresses of the real backing services brought up by test/global-setup.ts. A test that needs
// one calls these; when the address is missing the test fails loudly instead of skipping.
export function requireKafkaBrokers(): string[] {
  const brokers = process.env.SWITCHBOARD_TEST_KAFKA_BROKERS;
  if (!brokers) {
    throw new Error('SWITCHBOARD_TEST_KAFKA_BROKERS is not set: run tests through jest (its global setup starts Kafka) or deploy/local/up.sh');
  }
  return brokers.split(',');
}

export function requireDatabaseUrl(): string {
  const url = process.env.SWITCHBOARD_TEST_DATABASE_URL;
  if (!url) {
    throw new Error('SWITCHBOARD_TEST_DATABASE_URL is not set: run tests through jest (its global setup starts PostgreSQL) or deploy/local/up.sh');
  }
  return url;
}
