// Three builds: the main process (and the engine's utility process), the
// sandboxed preload (one CommonJS file), and the React renderer.
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';

const root = import.meta.dirname;
const sqliteShim = resolve(root, 'src-main/better-sqlite3-electron.ts');

/**
 * In the Electron build only, `better-sqlite3` resolves to a shim that loads
 * Electron's build of the addon (see src-main/sqlite-addon.ts); the shim
 * itself gets the real package, kept external.
 */
function electronSqlite(): Plugin {
  return {
    name: 'reportstream:electron-sqlite',
    enforce: 'pre',
    resolveId(source, importer) {
      if (source !== 'better-sqlite3') return null;
      if (importer !== undefined && resolve(importer) === sqliteShim) return { id: 'better-sqlite3', external: true };
      return sqliteShim;
    },
  };
}

export default defineConfig({
  main: {
    plugins: [electronSqlite()],
    build: {
      // Not externalized by name, so that the plugin above sees the import.
      externalizeDeps: { exclude: ['better-sqlite3'] },
      rolldownOptions: {
        input: {
          index: resolve(root, 'src-main/index.ts'),
          'engine-process': resolve(root, 'src-main/engine-process.ts'),
          // A worker thread of CSV exports; the engine looks for it beside its own bundle.
          'csv-worker': resolve(root, 'src-main/engine/export/csv-worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      rolldownOptions: {
        input: { index: resolve(root, 'src-preload/index.ts') },
        // A sandboxed preload is evaluated as a plain script: CommonJS, one file.
        output: { format: 'cjs', entryFileNames: '[name].cjs', codeSplitting: false },
      },
    },
  },
  renderer: {
    root: resolve(root, 'src-renderer'),
    plugins: [react()],
    build: {
      rolldownOptions: {
        input: { index: resolve(root, 'src-renderer/index.html') },
      },
    },
  },
});
