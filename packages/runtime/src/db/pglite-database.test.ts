// The database contract on PGlite (the embedded database of `make dev`), plus what only PGlite has:
// one connection, and persistence to a data directory.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database } from './database';
import { describeDatabaseContract } from './database.contract';
import { openDatabase } from './open-database';

describeDatabaseContract('pglite, in memory', async () => {
  const db = await openDatabase({ url: 'pglite://memory' });
  return { db, peer: db, teardown: () => db.close() };
});

describe('PGlite database', () => {
  // One in-memory instance for the tests below: starting PGlite costs seconds (WASM + initdb).
  let db: Database;
  beforeAll(async () => {
    db = await openDatabase({ url: 'pglite://memory' });
  });
  afterAll(() => db?.close());

  it('fails fast instead of deadlocking when the database is used inside its own transaction', async () => {
    await expect(db.transaction(() => db.query('SELECT 1'))).rejects.toThrow(/use the transaction handle/);
    // Work the callback left behind runs after the transaction, so it may use the database.
    let later: Promise<unknown> | undefined;
    await db.transaction(async () => {
      later = new Promise((resolve) => setTimeout(resolve, 5)).then(() => db.query('SELECT 1 AS ok'));
    });
    await expect(later).resolves.toEqual({ rows: [{ ok: 1 }], rowCount: 1 });
  });

  it('persists to a data directory given as pglite:///path', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'switchboard-pglite-'));
    try {
      const first = await openDatabase({ url: `pglite://${dir}` });
      await first.exec('CREATE TABLE kept (id bigint); INSERT INTO kept VALUES (42);');
      await first.close();
      const second = await openDatabase({ url: `pglite://${dir}` });
      expect((await second.query('SELECT id FROM kept')).rows).toEqual([{ id: 42n }]);
      await second.close();
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects unknown URL forms without echoing credentials', async () => {
    await expect(openDatabase({ url: 'pglite://relative/dir' })).rejects.toThrow(/pglite:\/\/memory/);
    await expect(openDatabase({ url: 'mysql://u:secret@h/db' })).rejects.toThrow(/unsupported database URL scheme "mysql:"/);
    await expect(openDatabase({ url: 'mysql://u:secret@h/db' })).rejects.not.toThrow(/secret/);
  });

  it('closes idempotently (after running work) and rejects later queries', async () => {
    const running = db.transaction((tx) => tx.query('SELECT pg_sleep(0.02)'));
    await Promise.all([db.close(), db.close()]);
    await expect(running).resolves.toBeDefined();
    await expect(db.query('SELECT 1')).rejects.toThrow(/closed/);
  });
});
