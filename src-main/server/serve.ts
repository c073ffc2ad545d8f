// `reportstream serve [--port N] [--cache DIR]`: opens the service, serves the
// built renderer and the contract on 127.0.0.1, prints the address with its
// token, and closes cleanly on Ctrl+C.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultCacheDir } from '../engine/paths.ts';
import { ReportService } from '../engine/service.ts';
import { startServer } from './server.ts';

/** out/renderer of this checkout (the CLI runs from source). */
export const DEFAULT_RENDERER_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../out/renderer');

export interface ServeOptions {
  port?: number;
  cacheDir?: string;
  rendererDir?: string;
}

export async function serveCommand({ port, cacheDir, rendererDir = DEFAULT_RENDERER_DIR }: ServeOptions): Promise<void> {
  if (!existsSync(join(rendererDir, 'index.html'))) {
    throw new Error(`The app is not built (${join(rendererDir, 'index.html')} is missing). Run \`npm run build\` first.`);
  }
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
