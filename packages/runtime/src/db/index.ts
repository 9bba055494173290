// Database access: the Database port with its PostgreSQL and PGlite adapters, the openDatabase
// factory that picks one from DATABASE_URL, and the SQL migration runner.
export type { Database, DatabaseKind, QueryResult, Queryable, Transaction } from './database';
export { DatabaseError, SQLSTATE_UNIQUE_VIOLATION, UniqueViolationError, toDatabaseError } from './database';
export type { OpenDatabaseOptions } from './open-database';
export { DEFAULT_EMBEDDED_DATABASE_URL, openDatabase } from './open-database';
export type { PgDatabaseOptions } from './pg-database';
export { PgDatabase } from './pg-database';
export type { PGliteDatabaseOptions } from './pglite-database';
export { PGliteDatabase } from './pglite-database';
export type { MigrateOptions, Migration } from './migrations';
export { defineMigration, loadMigrations, migrate, MigrationChecksumError } from './migrations';
