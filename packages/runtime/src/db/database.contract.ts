// The behaviour every Database adapter must have, as one jest suite run against each of them
// (pg-database.test.ts on a real PostgreSQL, pglite-database.test.ts on PGlite). Repositories are
// written once against the port, so any difference between the adapters is a bug this should catch.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as path from 'node:path';
import { Database, DatabaseError, UniqueViolationError } from './database';
import { defineMigration, loadMigrations, migrate, Migration, MigrationChecksumError } from './migrations';

export const TEST_MIGRATIONS_DIR = path.join(__dirname, 'test-migrations');

export interface ContractFixture {
  /** A handle onto a fresh, empty database (or schema) used by this run only. */
  db: Database;
  /** A second handle onto the same database, as a second service instance would have; the same
   * object where the implementation is single-connection (PGlite). */
  peer: Database;
  teardown(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface WidgetRow {
  id: bigint;
  owner_id: bigint;
  name: string;
  attributes: unknown;
  tags: string[];
  created_at: Date;
  note: string | null;
  part_ids: bigint[] | null;
}

/** What the groups of tests share; filled in by the suite's beforeAll. */
interface Context {
  fixture: ContractFixture;
  migrations: Migration[];
  firstRun: Migration[];
}

export function describeDatabaseContract(label: string, setup: () => Promise<ContractFixture>): void {
  describe(`database contract (${label})`, () => {
    const ctx = {} as Context;
    beforeAll(async () => {
      ctx.fixture = await setup();
      ctx.migrations = await loadMigrations(TEST_MIGRATIONS_DIR);
      ctx.firstRun = await migrate(ctx.fixture.db, ctx.migrations);
    });
    afterAll(async () => {
      await ctx.fixture?.teardown();
    });
    describeMigrations(ctx);
    describeValues(ctx);
    describeErrors(ctx);
    describeParameters(ctx);
    describeTransactions(ctx);
    describeConcurrency(ctx);
  });
}

let nextOwner = 1000n;
/** Each test writes under its own owner id, so tests don't depend on one another's rows. */
const owner = () => nextOwner++;

function helpers(ctx: Context) {
  const db = () => ctx.fixture.db;
  const insertWidget = (ownerId: bigint, name: string, id: bigint = ownerId * 1000n) =>
    db().query('INSERT INTO widgets (id, owner_id, name) VALUES ($1, $2, $3)', [id, ownerId, name]);
  return { db, insertWidget };
}

function describeMigrations(ctx: Context): void {
  const { db } = helpers(ctx);
  describe('migrations', () => {
    it('applies every migration in version order and records it', async () => {
      expect(ctx.firstRun.map((m) => m.version)).toEqual([1, 2]);
      const { rows } = await db().query<{ version: number; name: string; checksum: string; applied_at: Date }>(
        'SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version',
      );
      expect(rows.map((r) => [r.version, r.name, r.checksum])).toEqual(ctx.migrations.map((m) => [m.version, m.name, m.checksum]));
      expect(rows[0]!.applied_at).toBeInstanceOf(Date);
    });

    it('is idempotent: running again, from either instance, applies nothing', async () => {
      expect(await migrate(db(), ctx.migrations)).toEqual([]);
      expect(await migrate(ctx.fixture.peer, ctx.migrations)).toEqual([]);
    });

    it('refuses an applied migration whose file changed, before applying anything newer', async () => {
      const edited = [
        defineMigration(1, ctx.migrations[0]!.name, `${ctx.migrations[0]!.sql}\n-- edited afterwards`),
        ctx.migrations[1]!,
        defineMigration(3, 'never_applied', 'CREATE TABLE never_applied (x int)'),
      ];
      const error = await migrate(db(), edited).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(MigrationChecksumError);
      expect((error as MigrationChecksumError).version).toBe(1);
      const { rows } = await db().query("SELECT to_regclass('never_applied') AS t");
      expect(rows[0]).toEqual({ t: null });
    });

    it('rolls back a failing migration and does not record it', async () => {
      const failing = [defineMigration(1, 'half_done', 'CREATE TABLE half_done (x int);\nSELECT 1 / 0;')];
      const error = await migrate(db(), failing, { table: 'failing_migrations' }).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(DatabaseError);
      expect((error as DatabaseError).code).toBe('22012');
      expect((await db().query("SELECT to_regclass('half_done') AS t")).rows[0]).toEqual({ t: null });
      expect((await db().query('SELECT count(*) AS n FROM failing_migrations')).rows[0]).toEqual({ n: 0n });
    });

    it('applies each migration exactly once when two instances migrate at once', async () => {
      const set = [
        // The sleep keeps the first migration open long enough for the other instance to collide.
        defineMigration(1, 'race_a', 'CREATE TABLE race_a (x int); SELECT pg_sleep(0.05);'),
        defineMigration(2, 'race_b', 'CREATE TABLE race_b (x int); INSERT INTO race_b VALUES (1);'),
      ];
      const options = { table: 'race_migrations' };
      const [a, b] = await Promise.all([migrate(db(), set, options), migrate(ctx.fixture.peer, set, options)]);
      expect([...a, ...b].map((m) => m.version).sort()).toEqual([1, 2]);
      expect((await db().query('SELECT count(*) AS n FROM race_b')).rows[0]).toEqual({ n: 1n });
    });
  });
}

function describeValues(ctx: Context): void {
  const { db } = helpers(ctx);
  describe('values', () => {
    it('round-trips bigint snowflakes, jsonb, timestamptz, text[], bigint[] and null', async () => {
      const widget: WidgetRow = {
        id: 9223372036854775807n, // int8 max: beyond Number.MAX_SAFE_INTEGER
        owner_id: owner(),
        name: 'round-trip',
        attributes: { nested: { list: [1, 'two', null, { deep: true }] }, unicode: 'ü ✓' },
        tags: ['plain', 'with space', 'comma,and "quotes"', ''],
        created_at: new Date('2024-02-29T12:34:56.789Z'),
        note: null,
        part_ids: [1n, 2n ** 62n, -5n],
      };
      await db().query(
        `INSERT INTO widgets (id, owner_id, name, attributes, tags, created_at, note, part_ids)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [widget.id, widget.owner_id, widget.name, widget.attributes, widget.tags, widget.created_at, widget.note, widget.part_ids],
      );
      const { rows } = await db().query<WidgetRow>('SELECT * FROM widgets WHERE id = $1', [widget.id]);
      expect(rows).toEqual([widget]);
      expect(typeof rows[0]!.id).toBe('bigint');
    });

    it('returns computed int8 values as bigint and int4 as number', async () => {
      const { rows } = await db().query('SELECT count(*) AS n, $1::bigint + 1 AS next, 41 + 1 AS small', [41n]);
      expect(rows).toEqual([{ n: 1n, next: 42n, small: 42 }]);
    });

    it('takes jsonb objects directly and JSON arrays as JSON text', async () => {
      const id = owner();
      await db().query('INSERT INTO widgets (id, owner_id, name, attributes) VALUES ($1, $1, $2, $3)', [id, 'json', JSON.stringify([1, { a: 2 }])]);
      const { rows } = await db().query('SELECT attributes FROM widgets WHERE id = $1', [id]);
      expect(rows).toEqual([{ attributes: [1, { a: 2 }] }]);
    });

    it('keeps empty arrays empty and null arrays null', async () => {
      const id = owner();
      await db().query('INSERT INTO widgets (id, owner_id, name, tags, part_ids) VALUES ($1, $1, $2, $3, $4)', [id, 'arrays', [], null]);
      const { rows } = await db().query('SELECT tags, part_ids FROM widgets WHERE id = $1', [id]);
      expect(rows).toEqual([{ tags: [], part_ids: null }]);
    });
  });
}

function describeErrors(ctx: Context): void {
  const { db, insertWidget } = helpers(ctx);
  describe('errors', () => {
    it('surfaces a unique violation as UniqueViolationError with the driver error as cause', async () => {
      const id = owner();
      await insertWidget(id, 'twin', id);
      const error = await insertWidget(id, 'twin', id + 1n).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(UniqueViolationError);
      expect(error).toBeInstanceOf(DatabaseError);
      const unique = error as UniqueViolationError;
      expect([unique.code, unique.constraint, unique.table]).toEqual(['23505', 'widgets_owner_name_key', 'widgets']);
      expect((unique.cause as { code?: string }).code).toBe('23505');
      const pk = await insertWidget(owner(), 'other', id).catch((err: unknown) => err);
      expect(pk).toBeInstanceOf(UniqueViolationError);
    });

    it('surfaces other server errors as DatabaseError with their SQLSTATE', async () => {
      const error = await db().query('SELECT * FROM no_such_table').catch((err: unknown) => err);
      expect(error).toBeInstanceOf(DatabaseError);
      expect(error).not.toBeInstanceOf(UniqueViolationError);
      expect((error as DatabaseError).code).toBe('42P01');
      expect((await db().query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
    });
  });
}

function describeParameters(ctx: Context): void {
  const { db, insertWidget } = helpers(ctx);
  describe('parameters', () => {
    it('stores hostile strings verbatim', async () => {
      const id = owner();
      const name = "Robert'); DROP TABLE widgets; --";
      await insertWidget(id, name);
      const { rows } = await db().query('SELECT name FROM widgets WHERE owner_id = $1 AND name = $2', [id, name]);
      expect(rows).toEqual([{ name }]);
    });

    it('matches bigint array parameters with = ANY', async () => {
      const ids = [owner(), owner(), owner()];
      for (const id of ids) await insertWidget(id, 'any', id);
      const { rows } = await db().query<{ id: bigint }>('SELECT id FROM widgets WHERE id = ANY($1::bigint[]) ORDER BY id', [[ids[0], ids[2]]]);
      expect(rows.map((r) => r.id)).toEqual([ids[0], ids[2]]);
    });

    it('reports rowCount for writes and reads alike', async () => {
      const id = owner();
      await insertWidget(id, 'a', id * 10n);
      await insertWidget(id, 'b', id * 10n + 1n);
      expect((await db().query('UPDATE widgets SET note = $2 WHERE owner_id = $1', [id, 'n'])).rowCount).toBe(2);
      expect((await db().query('SELECT id FROM widgets WHERE owner_id = $1', [id])).rowCount).toBe(2);
      expect((await db().query('DELETE FROM widgets WHERE owner_id = $1 AND name = $2', [id, 'zzz'])).rowCount).toBe(0);
    });
  });
}

function describeTransactions(ctx: Context): void {
  const { db, insertWidget } = helpers(ctx);
  describe('transactions', () => {
    it('commits and returns the callback value; another instance sees the rows', async () => {
      const id = owner();
      const result = await db().transaction(async (tx) => {
        await tx.query('INSERT INTO widgets (id, owner_id, name) VALUES ($1, $1, $2)', [id, 'committed']);
        return (await tx.query('SELECT count(*) AS n FROM widgets WHERE owner_id = $1', [id])).rows[0];
      });
      expect(result).toEqual({ n: 1n });
      expect((await ctx.fixture.peer.query('SELECT name FROM widgets WHERE owner_id = $1', [id])).rows).toEqual([{ name: 'committed' }]);
    });

    it('rolls back and rethrows the same error when the callback throws', async () => {
      const id = owner();
      const thrown = new Error('boom');
      const error = await db()
        .transaction(async (tx) => {
          await tx.query('INSERT INTO widgets (id, owner_id, name) VALUES ($1, $1, $2)', [id, 'doomed']);
          throw thrown;
        })
        .catch((err: unknown) => err);
      expect(error).toBe(thrown);
      expect((await db().query('SELECT id FROM widgets WHERE owner_id = $1', [id])).rowCount).toBe(0);
    });

    it('rolls back everything when a statement fails, with the typed error', async () => {
      const id = owner();
      await insertWidget(id, 'existing', id);
      const error = await db()
        .transaction(async (tx) => {
          await tx.query('INSERT INTO widgets (id, owner_id, name) VALUES ($1, $2, $3)', [id + 1n, id, 'fresh']);
          await tx.query('INSERT INTO widgets (id, owner_id, name) VALUES ($1, $2, $3)', [id + 2n, id, 'existing']);
        })
        .catch((err: unknown) => err);
      expect(error).toBeInstanceOf(UniqueViolationError);
      expect((await db().query('SELECT name FROM widgets WHERE owner_id = $1', [id])).rows).toEqual([{ name: 'existing' }]);
    });

    it('rejects a transaction handle used after its transaction ended', async () => {
      let leaked: { query(sql: string): Promise<unknown> } | undefined;
      await db().transaction(async (tx) => {
        leaked = tx;
      });
      await expect(leaked!.query('SELECT 1')).rejects.toThrow(/transaction finished/);
    });
  });
}

function describeConcurrency(ctx: Context): void {
  const { db } = helpers(ctx);
  describe('concurrency', () => {
    it('does not let a concurrent transaction commit or see another one’s statements', async () => {
      const slow = owner();
      const fast = owner();
      const slowTx = db().transaction(async (tx) => {
        await tx.query('INSERT INTO widgets (id, owner_id, name) VALUES ($1, $1, $2)', [slow, 'slow']);
        await sleep(50); // the fast transaction starts and tries to commit meanwhile
        throw new Error('slow transaction fails');
      });
      await sleep(10);
      const fastTx = db().transaction(async (tx) => {
        await tx.query('INSERT INTO widgets (id, owner_id, name) VALUES ($1, $1, $2)', [fast, 'fast']);
        return (await tx.query('SELECT count(*) AS n FROM widgets WHERE owner_id = $1', [slow])).rows[0];
      });
      await expect(slowTx).rejects.toThrow('slow transaction fails');
      expect(await fastTx).toEqual({ n: 0n });
      const { rows } = await db().query('SELECT name FROM widgets WHERE owner_id = ANY($1::bigint[]) ORDER BY name', [[slow, fast]]);
      expect(rows).toEqual([{ name: 'fast' }]);
    });

    it('serialises read-modify-write transactions on a locked row', async () => {
      const increments = 20;
      await Promise.all(
        Array.from({ length: increments }, () =>
          db().transaction(async (tx) => {
            const { rows } = await tx.query<{ value: bigint }>("SELECT value FROM widget_counters WHERE name = 'shared' FOR UPDATE");
            await sleep(1);
            await tx.query("UPDATE widget_counters SET value = $1 WHERE name = 'shared'", [rows[0]!.value + 1n]);
          }),
        ),
      );
      expect((await db().query("SELECT value FROM widget_counters WHERE name = 'shared'")).rows).toEqual([{ value: BigInt(increments) }]);
    });

    it('runs multi-statement scripts with exec, inside and outside transactions', async () => {
      await db().exec('CREATE TABLE script_a (x int); INSERT INTO script_a VALUES (1), (2);');
      await db().transaction((tx) => tx.exec('INSERT INTO script_a VALUES (3); UPDATE script_a SET x = x * 10;'));
      expect((await db().query('SELECT sum(x) AS s FROM script_a')).rows).toEqual([{ s: 60n }]);
    });
  });
}
