// The database port every service codes against. Two adapters implement it: node-postgres for a
// real PostgreSQL (cluster mode, tests) and PGlite for the embedded `make dev` mode. Services never
// see either library, so the same repository code and the same contract tests run on both.

/** Rows plus a row count with PostgreSQL's meaning: rows affected by INSERT/UPDATE/DELETE, or
 * rows returned by SELECT; 0 for DDL. */
export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

/**
 * What both the database and a transaction handle can do.
 *
 * Parameters: bigint, number, string, boolean, null, Date, Buffer, arrays of these (→ PostgreSQL
 * arrays), and plain objects (→ json/jsonb). A JS *array* meant for a json/jsonb column must be
 * passed as `JSON.stringify(value)`: node-postgres turns JS arrays into PostgreSQL arrays.
 * Results: int8 (bigint) and int8[] columns come back as bigint / bigint[]; numeric stays a string.
 */
export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>>;
  /** Runs a script of one or more statements without parameters (migrations, fixtures). A
   * separate method because parameterised queries use the extended protocol, which takes one
   * statement only. */
  exec(sql: string): Promise<void>;
}

/** The handle a transaction callback gets. It is dead once the callback settles. */
export type Transaction = Queryable;

export type DatabaseKind = 'postgresql' | 'pglite';

export interface Database extends Queryable {
  readonly kind: DatabaseKind;
  /**
   * Runs fn inside BEGIN … COMMIT; if fn throws (or COMMIT fails) the transaction is rolled back
   * and the error rethrown. Use only the handle inside fn: on PGlite (one connection) calling the
   * database itself from inside fn would wait forever, so it throws instead.
   */
  transaction<R>(fn: (tx: Transaction) => Promise<R>): Promise<R>;
  /** Waits for running work, then releases connections. Idempotent. */
  close(): Promise<void>;
}

/** A statement the server rejected. `code` is the SQLSTATE; `cause` the driver's own error. */
export class DatabaseError extends Error {
  readonly code: string;
  readonly detail: string | undefined;
  readonly table: string | undefined;
  readonly constraint: string | undefined;

  constructor(message: string, fields: ServerErrorFields, cause: unknown) {
    super(message, { cause });
    this.name = 'DatabaseError';
    this.code = fields.code;
    this.detail = fields.detail;
    this.table = fields.table;
    this.constraint = fields.constraint;
  }
}

/** SQLSTATE 23505: an insert or update collided with a unique index or constraint. */
export class UniqueViolationError extends DatabaseError {
  constructor(message: string, fields: ServerErrorFields, cause: unknown) {
    super(message, fields, cause);
    this.name = 'UniqueViolationError';
  }
}

export const SQLSTATE_UNIQUE_VIOLATION = '23505';

interface ServerErrorFields {
  code: string;
  detail?: string | undefined;
  table?: string | undefined;
  constraint?: string | undefined;
}

/**
 * Maps a driver error to our typed errors. Both drivers surface server errors with the same
 * fields (PGlite reuses node-postgres' protocol parser), so one mapping serves both. Errors without
 * a SQLSTATE (connection refused, pool closed) are returned unchanged.
 */
export function toDatabaseError(err: unknown): unknown {
  if (err instanceof DatabaseError || !isServerError(err)) return err;
  const fields: ServerErrorFields = {
    code: err.code,
    detail: stringOrUndefined(err.detail),
    table: stringOrUndefined(err.table),
    constraint: stringOrUndefined(err.constraint),
  };
  const message = err instanceof Error ? err.message : String(err);
  if (err.code === SQLSTATE_UNIQUE_VIOLATION) return new UniqueViolationError(message, fields, err);
  return new DatabaseError(message, fields, err);
}

function isServerError(err: unknown): err is { code: string; detail?: unknown; table?: unknown; constraint?: unknown } {
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  // SQLSTATEs are five characters of [0-9A-Z]; Node's system errors (ECONNREFUSED) are not.
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Runs fn and rethrows any failure as a typed error. */
export async function mapErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toDatabaseError(err);
  }
}

/** Thrown when a transaction handle is used after its callback settled: a forgotten `await`
 * would otherwise run a statement outside (or, on PGlite, inside someone else's) transaction. */
export function transactionFinishedError(): Error {
  return new Error('transaction handle used after its transaction finished (missing await?)');
}
