// The Database port on PGlite: PostgreSQL compiled to WebAssembly, running inside this process.
// It is the embedded database of `make dev` (no server to install) and behaves like PostgreSQL for
// everything the services use. It has exactly one connection, which shapes this adapter.
import { AsyncLocalStorage } from 'node:async_hooks';
import { PGlite, Transaction as PGliteTransaction } from '@electric-sql/pglite';
import { Database, mapErrors, QueryResult, transactionFinishedError, Transaction } from './database';
import { Mutex } from './mutex';

export interface PGliteDatabaseOptions {
  /** A directory to persist to; omitted = in memory, gone on close. */
  dataDir?: string;
  /** Sets search_path once at open (one connection, so it holds for the database's life). */
  searchPath?: string;
}

const INT8_OID = 20;

interface Results {
  rows: unknown[];
  affectedRows?: number;
}

/** Same rowCount meaning as node-postgres: PGlite reports affectedRows = 0 for SELECT. */
function toQueryResult<T>(results: Results): QueryResult<T> {
  const rows = results.rows as T[];
  return { rows, rowCount: Math.max(results.affectedRows ?? 0, rows.length) };
}

export class PGliteDatabase implements Database {
  readonly kind = 'pglite' as const;
  /** Held from BEGIN to COMMIT by a transaction and around every single statement, so nothing
   * can run inside another caller's transaction on the shared connection. PGlite 0.5 happens to
   * queue queries behind its own transactions too; this keeps the guarantee ours, not an
   * implementation detail of whichever PGlite version is installed. */
  private readonly mutex = new Mutex();
  /** The transaction whose callback the current async context runs in, if any. A handle rather
   * than a flag: work the callback left running after it settled must not count as inside. */
  private readonly currentTransaction = new AsyncLocalStorage<PGliteTransactionHandle>();
  private closing: Promise<void> | undefined;

  private constructor(private readonly pg: PGlite) {}

  static async open(options: PGliteDatabaseOptions = {}): Promise<PGliteDatabase> {
    await ensureDynamicImport();
    const pg = await PGlite.create({
      ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
      // int8 → bigint; PGlite derives the int8[] parser from this one.
      parsers: { [INT8_OID]: (value: string) => BigInt(value) },
    });
    const db = new PGliteDatabase(pg);
    if (options.searchPath !== undefined) {
      await db.exec(`SET search_path TO "${options.searchPath.replace(/"/g, '""')}"`);
    }
    return db;
  }

  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>> {
    return this.exclusive(async () => toQueryResult<T>(await this.pg.query<T>(sql, params as unknown[] | undefined)));
  }

  exec(sql: string): Promise<void> {
    return this.exclusive(async () => {
      await this.pg.exec(sql);
    });
  }

  transaction<R>(fn: (tx: Transaction) => Promise<R>): Promise<R> {
    return this.exclusive(() =>
      // PGlite's own transaction() sends BEGIN/COMMIT, and ROLLBACK when fn throws.
      this.pg.transaction(async (raw) => {
        const handle = new PGliteTransactionHandle(raw);
        try {
          return await this.currentTransaction.run(handle, () => fn(handle));
        } finally {
          handle.finished = true;
        }
      }),
    );
  }

  close(): Promise<void> {
    // Queued behind running work, so a transaction in flight finishes before the close.
    this.closing ??= this.mutex.runExclusive(() => this.pg.close());
    return this.closing;
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.currentTransaction.getStore()?.finished === false) {
      // The transaction holds the only connection until its callback returns: waiting for it
      // here would never end, so fail loudly instead.
      return Promise.reject(
        new Error('database used directly inside its own transaction callback: use the transaction handle (PGlite has one connection)'),
      );
    }
    if (this.closing) return Promise.reject(new Error('database is closed'));
    return this.mutex.runExclusive(() => mapErrors(fn));
  }
}

let dynamicImportCheck: Promise<void> | undefined;

/**
 * PGlite's Node glue loads built-ins with dynamic import() from a promise nobody awaits, so when
 * import() is unavailable the process dies of an unhandled rejection. That happens under jest,
 * whose vm sandbox rejects import() unless node runs with --experimental-vm-modules
 * (electric-sql/pglite#224). Probe import() first and fail with an error that says what to do.
 */
function ensureDynamicImport(): Promise<void> {
  // new Function: TypeScript compiles a literal import() in this CommonJS module to require().
  const dynamicImport = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;
  dynamicImportCheck ??= dynamicImport('node:module').then(
    () => undefined,
    (err: unknown) => {
      throw new Error(
        'PGlite cannot start: dynamic import() is unavailable here. Under jest, run node with ' +
          '--experimental-vm-modules (e.g. NODE_OPTIONS=--experimental-vm-modules npx jest).',
        { cause: err },
      );
    },
  );
  return dynamicImportCheck;
}

class PGliteTransactionHandle implements Transaction {
  finished = false;

  constructor(private readonly raw: PGliteTransaction) {}

  async query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>> {
    if (this.finished) throw transactionFinishedError();
    return mapErrors(async () => toQueryResult<T>(await this.raw.query<T>(sql, params as unknown[] | undefined)));
  }

  async exec(sql: string): Promise<void> {
    if (this.finished) throw transactionFinishedError();
    await mapErrors(() => this.raw.exec(sql));
  }
}
