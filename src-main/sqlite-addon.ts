// better-sqlite3 is a native addon, and Node and Electron need different
// builds of it (different ABIs). node_modules keeps Node's build, for the
// tests and the CLI; Electron's build lives beside it (made by
// `npm run rebuild:electron` into .cache/, shipped as a resource when
// packaged), and the engine process loads it through better-sqlite3's
// `nativeBinding` option. So `npm start` and `npm test` work in either order.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Tells the engine process (and its worker threads, which inherit env) where Electron's build is. */
export const ELECTRON_SQLITE_ADDON_ENV = 'REPORTSTREAM_SQLITE_ADDON';

/** Where `build/electron-native.mjs` puts Electron's build, relative to the project. */
export const DEV_ADDON_PATH = join('.cache', 'electron-native', 'better_sqlite3.node');

/** Where electron-builder puts it in a packaged app, relative to `process.resourcesPath`. */
export const PACKAGED_ADDON_PATH = join('native', 'better_sqlite3.node');

export function electronSqliteAddon(isPackaged: boolean, appPath: string, resourcesPath: string): string | null {
  const addon = isPackaged ? join(resourcesPath, PACKAGED_ADDON_PATH) : join(appPath, DEV_ADDON_PATH);
  return existsSync(addon) ? addon : null;
}
