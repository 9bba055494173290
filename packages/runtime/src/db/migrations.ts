// Versioned SQL migrations, applied at service start. Each service owns a directory of
// NNNN_description.sql files; this runner applies the ones not yet recorded, in version order,
// each in its own transaction, and refuses to start when an applied file was edited afterwards
// (the database would silently differ from what the code in the repo describes).
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Database, Transaction } from './database';

export interface Migration {
  version: number;
  /** The description part of the file name. */
  name: string;
  sql: string;
  /** sha256 of the SQL with line endings normalised, so a CRLF checkout is not "changed". */
  checksum: string;
}

export class MigrationChecksumError extends Error {
  constructor(
    readonly version: number,
    readonly migrationName: string,
    readonly appliedChecksum: string,
    readonly currentChecksum: string,
  ) {
    super(
      `migration ${version} (${migrationName}) was changed after it was applied: applied checksum ` +
        `${appliedChecksum}, file now ${currentChecksum}. Never edit an applied migration; add a new one.`,
    );
    this.name = 'MigrationChecksumError';
  }
}

export interface MigrateOptions {
  /** Bookkeeping table (default schema_migrations). Services sharing one database (make dev runs
   * all four on one PGlite) each need their own, or their version numbers would collide. */
  table?: string;
}

const FILE_PATTERN = /^(\d+)_([A-Za-z0-9][A-Za-z0-9_.-]*)\.sql$/;

export function defineMigration(version: number, name: string, sql: string): Migration {
  if (!Number.isSafeInteger(version) || version < 1) throw new Error(`migration version must be a positive integer, got ${version}`);
  const checksum = createHash('sha256').update(sql.replace(/\r\n/g, '\n')).digest('hex');
  return { version, name, sql, checksum };
}

/** Reads NNNN_description.sql files from dir, sorted by version. Other .sql names and duplicate
 * versions are errors: a misnamed file would otherwise be silently skipped. */
export async function loadMigrations(dir: string): Promise<Migration[]> {
  const files = (await fs.readdir(dir)).filter((file) => file.endsWith('.sql'));
  const migrations: Migration[] = [];
  for (const file of files) {
    const match = FILE_PATTERN.exec(file);
    if (!match) throw new Error(`migration file ${path.join(dir, file)} is not named NNNN_description.sql`);
    const sql = await fs.readFile(path.join(dir, file), 'utf8');
    migrations.push(defineMigration(Number(match[1]), match[2]!, sql));
  }
  return sortedUnique(migrations);
}

function sortedUnique(migrations: readonly Migration[]): Migration[] {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.version === sorted[i - 1]!.version) {
      throw new Error(`two migrations have version ${sorted[i]!.version}: ${sorted[i - 1]!.name} and ${sorted[i]!.name}`);
    }
  }
  return sorted;
}

/**
 * Applies pending migrations and returns the ones this call applied (empty when up to date).
 * Safe when several instances start at once: every step holds a transaction-scoped advisory lock,
 * and each migration is re-checked under it before it runs. (PGlite is one process and one
 * connection, so the lock is uncontended there but harmless.) Versions recorded in the database but
 * missing from `migrations` are tolerated: during a rolling deploy an older instance sees the newer
 * instances' migrations.
 */
export async function migrate(db: Database, migrations: readonly Migration[], options: MigrateOptions = {}): Promise<Migration[]> {
  const table = quoteTable(options.table ?? 'schema_migrations');
  const lockKey = advisoryLockKey(table);
  const ordered = sortedUnique(migrations);

  // Check every applied checksum before applying anything, so an edited file stops the start
  // before the schema moves on.
  const applied = await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [lockKey]);
    await tx.exec(
      `CREATE TABLE IF NOT EXISTS ${table} (
        version integer PRIMARY KEY,
        name text NOT NULL,
        checksum text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`,
    );
    return appliedChecksums(tx, table);
  });
  for (const migration of ordered) verify(migration, applied.get(migration.version));

  const newlyApplied: Migration[] = [];
  for (const migration of ordered.filter((m) => !applied.has(m.version))) {
    const ran = await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [lockKey]);
      // Another instance may have applied it between our check and taking the lock.
      const now = await appliedChecksums(tx, table, migration.version);
      if (now.has(migration.version)) {
        verify(migration, now.get(migration.version));
        return false;
      }
      await tx.exec(migration.sql);
      await tx.query(`INSERT INTO ${table} (version, name, checksum) VALUES ($1, $2, $3)`, [
        migration.version,
        migration.name,
        migration.checksum,
      ]);
      return true;
    });
    if (ran) newlyApplied.push(migration);
  }
  return newlyApplied;
}

async function appliedChecksums(tx: Transaction, table: string, version?: number): Promise<Map<number, string>> {
  const { rows } =
    version === undefined
      ? await tx.query<{ version: number; checksum: string }>(`SELECT version, checksum FROM ${table}`)
      : await tx.query<{ version: number; checksum: string }>(`SELECT version, checksum FROM ${table} WHERE version = $1`, [version]);
  return new Map(rows.map((row) => [row.version, row.checksum]));
}

function verify(migration: Migration, appliedChecksum: string | undefined): void {
  if (appliedChecksum !== undefined && appliedChecksum !== migration.checksum) {
    throw new MigrationChecksumError(migration.version, migration.name, appliedChecksum, migration.checksum);
  }
}

/** Accepts `name` or `schema.name` of plain lowercase identifiers and quotes each part. */
function quoteTable(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}(\.[a-z_][a-z0-9_]{0,62})?$/.test(name)) {
    throw new Error(`invalid migrations table name "${name}"`);
  }
  return name
    .split('.')
    .map((part) => `"${part}"`)
    .join('.');
}

/** A stable 64-bit lock id per bookkeeping table: instances of one service contend, different
 * services sharing a database don't block each other. */
function advisoryLockKey(quotedTable: string): bigint {
  const digest = createHash('sha256').update(`switchboard:migrations:${quotedTable}`).digest();
  return digest.readBigInt64BE(0);
}
