// Builds better-sqlite3 for Electron's ABI into .cache/electron-native/,
// leaving node_modules/better-sqlite3 as npm built it (Node's ABI, for the
// tests and the CLI). The engine process loads this copy through
// better-sqlite3's `nativeBinding` option (src-main/sqlite-addon.ts), so
// `npm start` and `npm test` work in either order and never rebuild each
// other's addon. Skips the work when the copy matches the installed versions.
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rebuild } from '@electron/rebuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const versionOf = (name) => JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
const electronVersion = versionOf('electron');
const sqliteVersion = versionOf('better-sqlite3');
const arch = process.env.npm_config_arch || process.arch;
const stamp = `electron ${electronVersion}, better-sqlite3 ${sqliteVersion}, ${process.platform}-${arch}`;

const outDir = join(root, '.cache', 'electron-native');
const addon = join(outDir, 'better_sqlite3.node');
const stampFile = join(outDir, 'built-for.txt');
if (existsSync(addon) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) {
  console.log(`better-sqlite3 for Electron is up to date (${stamp}).`);
  process.exit(0);
}

// A throwaway app folder holding a copy of the module: @electron/rebuild builds there, not in node_modules.
const work = join(outDir, 'work');
rmSync(work, { recursive: true, force: true });
mkdirSync(join(work, 'node_modules'), { recursive: true });
writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'reportstream-electron-native', version: '0.0.0', private: true, dependencies: { 'better-sqlite3': sqliteVersion } }));
cpSync(join(root, 'node_modules', 'better-sqlite3'), join(work, 'node_modules', 'better-sqlite3'), {
  recursive: true,
  filter: (source) => !source.includes(`${join('better-sqlite3', 'build')}`),
});

console.log(`Building better-sqlite3 ${sqliteVersion} for Electron ${electronVersion} (${process.platform}-${arch})…`);
try {
  await rebuild({ buildPath: work, electronVersion, arch, force: true, onlyModules: ['better-sqlite3'] });
} catch (err) {
  console.error(`Could not build better-sqlite3 for Electron: ${err instanceof Error ? err.message : err}`);
  console.error('It needs the Electron headers (or a prebuilt binary) from the network, and a C++ toolchain.');
  rmSync(work, { recursive: true, force: true });
  process.exit(1);
}
copyFileSync(join(work, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'), addon);
writeFileSync(stampFile, stamp);
rmSync(work, { recursive: true, force: true });
console.log(`Built ${addon}`);
