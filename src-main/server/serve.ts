// `reportstream serve [--port N] [--cache DIR]`: opens the service, serves the
// built renderer and the contract on 127.0.0.1, prints the address with its
// token, and closes cleanly on Ctrl+C.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultCacheDir } from '../engine/paths.ts';
import { ReportService } from '../engine/service.ts';
import { startServer } from './server.ts';

/** out/renderer of this checkout (the CLI runs from source). */
export const DEFAULT_RENDERER_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../out/renderer');

/** A fresh checkout has no build yet: make it once, so `npx reportstream serve` works right after `npm ci`. */
function buildRenderer(rendererDir: string): void {
  const checkout = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
  process.stderr.write('Building the app once (npm run build)…\n');
  const build = spawnSync(process.platform === 'win32' ? 'npx.cmd' : 'npx', ['electron-vite', 'build'], { cwd: checkout, stdio: ['ignore', 'ignore', 'inherit'] });
  if (build.status !== 0 || !existsSync(join(rendererDir, 'index.html'))) {
    throw new Error(`The app is not built (${join(rendererDir, 'index.html')} is missing) and building it failed. Run \`npm run build\` and try again.`);
  }
}

export interface ServeOptions {
  port?: number;
  cacheDir?: string;
  rendererDir?: string;
}

export async function serveCommand({ port, cacheDir, rendererDir = DEFAULT_RENDERER_DIR }: ServeOptions): Promise<void> {
  if (!existsSync(join(rendererDir, 'index.html'))) buildRenderer(rendererDir);
  const service = await ReportService.open({ cacheDir: cacheDir ?? defaultCacheDir(), host: 'browser' });
  let server;
  try {
    server = await startServer({ service, port: port ?? 0, host: '127.0.0.1', rendererDir });
  } catch (err) {
    await service.close();
    throw err;
  }
  process.stdout.write(`ReportStream is running at ${server.url}\nOpen it in a browser on this machine. Press Ctrl+C to stop.\n`);

  await new Promise<void>((resolveStop) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolveStop();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  process.stderr.write('Stopping: running reports are kept and can be resumed.\n');
  await server.close();
  await service.close();
}
