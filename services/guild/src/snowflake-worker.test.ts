import { deconstructSnowflake } from '@switchboard/runtime';
import { leaseSnowflakeGenerator } from './snowflake-worker';
import { openTestGuildDatabase } from './testing/guild-database';

describe('leaseSnowflakeGenerator', () => {
  it('gives instances sharing a database distinct worker/process bits', async () => {
    const db = await openTestGuildDatabase('postgresql');
    try {
      const ids = await Promise.all([1, 2, 3].map(async () => (await leaseSnowflakeGenerator(db.database)).next()));
      const bits = ids.map((id) => {
        const parts = deconstructSnowflake(id);
        return parts.workerId * 32 + parts.processId;
      });
      expect(new Set(bits).size).toBe(3);
    } finally {
      await db.teardown();
    }
  });
});
