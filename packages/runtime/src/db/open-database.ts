// One entry point from configuration (DATABASE_URL) to a Database, so services don't choose the
// adapter themselves: a postgres:// URL means a real server, pglite:// the embedded database.
import * as path from 'node:path';
import { Database } from './database';
import { PgDatabase } from './pg-database';
import { PGliteDatabase } from './pglite-database';

export interface OpenDatabaseOptions {
  /**
   * postgres://user:pass@host:port/db (or postgresql://) → a node-postgres pool;
   * pglite://memory → in-memory PGlite; pglite:///absolute/path → PGlite persisted in that directory.
   */
  url: string;
  /** Pool size for PostgreSQL (default 10); PGlite always has one connection. */
  poolSize?: number;
  /** search_path for every connection, e.g. a per-test-run schema. */
  searchPath?: string;
  applicationName?: string;
  onIdleError?: (err: Error) => void;
}

/** The embedded default of `make dev` when DATABASE_URL is unset. */
export const DEFAULT_EMBEDDED_DATABASE_URL = 'pglite://memory';

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const { url } = options;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'postgres' || scheme === 'postgresql') {
    return new PgDatabase({
      connectionString: url,
      ...(options.poolSize === undefined ? {} : { poolSize: options.poolSize }),
      ...(options.searchPath === undefined ? {} : { searchPath: options.searchPath }),
      ...(options.applicationName === undefined ? {} : { applicationName: options.applicationName }),
      ...(options.onIdleError === undefined ? {} : { onIdleError: options.onIdleError }),
    });
  }
  if (scheme === 'pglite') {
    const dataDir = pgliteDataDir(url);
    return PGliteDatabase.open({
      ...(dataDir === undefined ? {} : { dataDir }),
      ...(options.searchPath === undefined ? {} : { searchPath: options.searchPath }),
    });
  }
  // Never echo the URL: it usually carries a password.
  throw new Error(`unsupported database URL scheme ${scheme ? `"${scheme}:"` : '(none)'}: use postgres://, pglite://memory or pglite:///path`);
}

/** pglite://memory → undefined (in memory); pglite:///abs/path → /abs/path. */
function pgliteDataDir(url: string): string | undefined {
  const rest = url.slice('pglite://'.length);
  if (rest === 'memory' || rest === 'memory/') return undefined;
  if (rest.startsWith('/') && rest.length > 1) return path.resolve(decodeURIComponent(rest));
  throw new Error(`invalid PGlite URL "${url}": use pglite://memory or pglite:///absolute/path`);
}
