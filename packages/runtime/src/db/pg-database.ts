// The Database port on a real PostgreSQL through a node-postgres connection pool.
import pg from 'pg';
import {
  Database,
  mapErrors,
  QueryResult,
  transactionFinishedError,
  Transaction,
} from './database';

export interface PgDatabaseOptions {
  /** postgres://user:password@host:port/database[?options] */
  connectionString: string;
  /** Connections in the pool (default 10). */
  poolSize?: number;
  /** Sets the session's search_path on every connection, e.g. a per-test-run schema. */
  searchPath?: string;
  /** Shown in pg_stat_activity, so an operator can tell services apart. */
  applicationName?: string;
  /** How long to wait for a free connection or a new one before failing (default 10 s). */
  connectionTimeoutMs?: number;
  /** Errors of idle pooled connections (e.g. the server restarted). The pool already drops the
   * broken connection; without a listener Node would crash on the unhandled 'error' event. */
  onIdleError?: (err: Error) => void;
}

const INT8_OID = 20;
const INT8_ARRAY_OID = 1016;

/** int8 → bigint for this pool only: setting it on the global `pg.types` would silently change
 * every other pg user in the process (and other libraries that expect strings). */
function bigintTypes(): pg.TypeOverrides {
  const types = new pg.TypeOverrides();
  types.setTypeParser(INT8_OID, (value: string) => BigInt(value));
  // The global int8[] parser yields strings (null entries, nesting handled); convert the leaves.
  const globalParser = pg.types.getTypeParser as (oid: number) => (value: string) => unknown;
  const parseTextArray = globalParser(INT8_ARRAY_OID);
  types.setTypeParser(INT8_ARRAY_OID, (value: string) => mapNested(parseTextArray(value), toBigInt));
  return types;
}

function toBigInt(value: unknown): unknown {
  return typeof value === 'string' ? BigInt(value) : value;
}

function mapNested(value: unknown, fn: (leaf: unknown) => unknown): unknown {
  return Array.isArray(value) ? value.map((item) => mapNested(item, fn)) : fn(value);
}

/** `SET search_path` for the connection's startup packet, so it holds on every pooled
 * connection from its first statement on. The name is quoted as an identifier. */
function searchPathOption(schema: string): string {
  const quoted = `"${schema.replace(/"/g, '""')}"`;
  return `-c search_path=${quoted.replace(/ /g, '\\ ')}`;
}

async function runQuery<T>(client: pg.Pool | pg.PoolClient, sql: string, params: readonly unknown[] | undefined): Promise<QueryResult<T>> {
  return mapErrors(async () => {
    const result = await client.query(sql, params as unknown[] | undefined);
    // A script of several statements returns one result per statement; report the last.
    const last = Array.isArray(result) ? (result[result.length - 1] as pg.QueryResult | undefined) : result;
    const rows = (last?.rows ?? []) as T[];
    return { rows, rowCount: last?.rowCount ?? rows.length };
  });
}

export class PgDatabase implements Database {
  readonly kind = 'postgresql' as const;
  private readonly pool: pg.Pool;
  private closing: Promise<void> | undefined;

  constructor(options: PgDatabaseOptions) {
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: options.connectionTimeoutMs ?? 10_000,
      application_name: options.applicationName,
      types: bigintTypes(),
      ...(options.searchPath === undefined ? {} : { options: searchPathOption(options.searchPath) }),
    });
    this.pool.on('error', options.onIdleError ?? (() => undefined));
  }

  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>> {
    return runQuery<T>(this.pool, sql, params);
  }

  async exec(sql: string): Promise<void> {
    await runQuery(this.pool, sql, undefined);
  }

  async transaction<R>(fn: (tx: Transaction) => Promise<R>): Promise<R> {
    const client = await mapErrors(() => this.pool.connect());
    const handle = new PgTransaction(client);
    let broken: Error | undefined;
    try {
      await runQuery(client, 'BEGIN', undefined);
      const result = await fn(handle);
      await runQuery(client, 'COMMIT', undefined);
      return result;
    } catch (err) {
      broken = await rollback(client);
      throw err;
    } finally {
      handle.finished = true;
      // A connection whose ROLLBACK failed is in an unknown state: destroy it, don't reuse it.
      client.release(broken ?? false);
    }
  }

  close(): Promise<void> {
    this.closing ??= this.pool.end();
    return this.closing;
  }
}

class PgTransaction implements Transaction {
  finished = false;

  constructor(private readonly client: pg.PoolClient) {}

  async query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>> {
    if (this.finished) throw transactionFinishedError();
    return runQuery<T>(this.client, sql, params);
  }

  async exec(sql: string): Promise<void> {
    if (this.finished) throw transactionFinishedError();
    await runQuery(this.client, sql, undefined);
  }
}

/** Returns the error if ROLLBACK itself failed (connection lost); the caller's error wins. */
async function rollback(client: pg.PoolClient): Promise<Error | undefined> {
  try {
    await client.query('ROLLBACK');
    return undefined;
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}
