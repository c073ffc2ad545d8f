// The Electron build swaps better-sqlite3 for a shim that loads the addon named
// by REPORTSTREAM_SQLITE_ADDON (Electron's build); elsewhere nothing changes.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import ElectronDatabase from '../../src-main/better-sqlite3-electron.ts';
import { ELECTRON_SQLITE_ADDON_ENV, electronSqliteAddon } from '../../src-main/sqlite-addon.ts';

const nodeAddon = join(createRequire(import.meta.url).resolve('better-sqlite3/package.json'), '..', 'build', 'Release', 'better_sqlite3.node');

describe('better-sqlite3 for Electron', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rs-addon-'));
  afterEach(() => delete process.env[ELECTRON_SQLITE_ADDON_ENV]);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads the addon the environment names, and is still a better-sqlite3 Database', () => {
    process.env[ELECTRON_SQLITE_ADDON_ENV] = nodeAddon;
    const db = new ElectronDatabase(join(dir, 'a.sqlite'));
    expect(db).toBeInstanceOf(Database);
    expect(db.prepare('select 41 + 1 as answer').get()).toEqual({ answer: 42 });
    db.close();
    expect(ElectronDatabase.SqliteError).toBe(Database.SqliteError);
  });

  it('fails loudly when the named addon is missing, so a wrong build is never used silently', () => {
    process.env[ELECTRON_SQLITE_ADDON_ENV] = join(dir, 'missing.node');
    expect(() => new ElectronDatabase(join(dir, 'b.sqlite'))).toThrow(/missing\.node|Cannot find module/);
  });

  it('behaves as better-sqlite3 itself without the variable', () => {
    const db = new ElectronDatabase(':memory:');
    expect(db.pragma('journal_mode', { simple: true })).toBe('memory');
    db.close();
  });

  it('finds the development build in .cache and the packaged one in resources', () => {
    expect(electronSqliteAddon(false, dir, dir)).toBeNull();
    expect(electronSqliteAddon(true, dir, dir)).toBeNull();
    mkdirSync(join(dir, '.cache', 'electron-native'), { recursive: true });
    writeFileSync(join(dir, '.cache', 'electron-native', 'better_sqlite3.node'), '');
    mkdirSync(join(dir, 'native'));
    writeFileSync(join(dir, 'native', 'better_sqlite3.node'), '');
    expect(electronSqliteAddon(false, dir, '/nowhere')).toBe(join(dir, '.cache', 'electron-native', 'better_sqlite3.node'));
    expect(electronSqliteAddon(true, '/nowhere', dir)).toBe(join(dir, 'native', 'better_sqlite3.node'));
  });
});
