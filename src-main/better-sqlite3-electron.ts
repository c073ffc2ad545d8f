// Stands in for `better-sqlite3` in the Electron build only (see the
// electron-vite config): the same constructor, except that it loads
// Electron's build of the addon named by REPORTSTREAM_SQLITE_ADDON. Under
// Node (tests, CLI, browser host) the engine imports better-sqlite3 itself.
import Database from 'better-sqlite3';
import { ELECTRON_SQLITE_ADDON_ENV } from './sqlite-addon.ts';

function ElectronDatabase(filename?: string | Buffer, options: Database.Options = {}): Database.Database {
  const addon = process.env[ELECTRON_SQLITE_ADDON_ENV];
  return new Database(filename, addon && options.nativeBinding === undefined ? { ...options, nativeBinding: addon } : options);
}
// `instanceof`, the prototype and static members (SqliteError) stay those of the real class.
ElectronDatabase.prototype = Database.prototype;
Object.setPrototypeOf(ElectronDatabase, Database);

export default ElectronDatabase as unknown as typeof Database;
export const SqliteError = Database.SqliteError;
