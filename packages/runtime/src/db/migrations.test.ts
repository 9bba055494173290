// Loading migration files; applying them is covered by the database contract on both adapters.
import { afterEach, describe, expect, it } from '@jest/globals';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TEST_MIGRATIONS_DIR } from './database.contract';
import { defineMigration, loadMigrations } from './migrations';

describe('loadMigrations', () => {
  const dirs: string[] = [];
  async function dirWith(files: Record<string, string>): Promise<string> {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'switchboard-migrations-'));
    dirs.push(dir);
    for (const [name, sql] of Object.entries(files)) await fs.writeFile(path.join(dir, name), sql);
    return dir;
  }
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((dir) => fs.rm(dir, { recursive: true, force: true })));
  });

  it('reads NNNN_description.sql files in numeric version order, ignoring other files', async () => {
    const dir = await dirWith({ '0010_later.sql': 'SELECT 10', '0002_early.sql': 'SELECT 2', 'README.md': '# notes' });
    const migrations = await loadMigrations(dir);
    expect(migrations.map((m) => [m.version, m.name, m.sql])).toEqual([
      [2, 'early', 'SELECT 2'],
      [10, 'later', 'SELECT 10'],
    ]);
  });

  it('loads the runtime test migrations', async () => {
    expect((await loadMigrations(TEST_MIGRATIONS_DIR)).map((m) => m.name)).toEqual(['widgets', 'widget_parts_and_counters']);
  });

  it('rejects misnamed .sql files instead of skipping them', async () => {
    const dir = await dirWith({ 'create_things.sql': 'SELECT 1' });
    await expect(loadMigrations(dir)).rejects.toThrow(/not named NNNN_description\.sql/);
  });

  it('rejects two files with the same version', async () => {
    const dir = await dirWith({ '0001_a.sql': 'SELECT 1', '001_b.sql': 'SELECT 2' });
    await expect(loadMigrations(dir)).rejects.toThrow(/two migrations have version 1/);
  });

  it('checksums content with line endings normalised', () => {
    const unix = defineMigration(1, 'x', 'CREATE TABLE t (x int);\nSELECT 1;\n');
    const windows = defineMigration(1, 'x', 'CREATE TABLE t (x int);\r\nSELECT 1;\r\n');
    expect(windows.checksum).toBe(unix.checksum);
    expect(defineMigration(1, 'x', 'SELECT 2').checksum).not.toBe(unix.checksum);
  });
});
