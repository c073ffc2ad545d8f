// A browser has no save dialog that the host can drive, so the browser host
// writes exports into one folder, `<cacheDir>/exports/`, and lets the page
// download them from there (and only from there).
import { existsSync, mkdirSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import type { ExportFormat } from '../../src-preload/contract.ts';
import { ReportError } from '../engine/errors.ts';
import { exportFileName } from '../file-names.ts';

export class ExportsFolder {
  readonly dir: string;
  /** Names handed out and not yet written, so two quick calls never get the same file. */
  private readonly reserved = new Set<string>();

  constructor(cacheDir: string) {
    this.dir = resolve(cacheDir, 'exports');
  }

  /** A fresh path in the exports folder: `name.csv`, else `name-2.csv`, `name-3.csv`, … */
  choosePath(suggestedName: string, format: ExportFormat): string {
    mkdirSync(this.dir, { recursive: true });
    const fileName = exportFileName(suggestedName, format);
    const stem = fileName.slice(0, -(format.length + 1));
    for (let n = 1; ; n++) {
      const candidate = join(this.dir, n === 1 ? fileName : `${stem}-${n}.${format}`);
      if (!existsSync(candidate) && !this.reserved.has(candidate)) {
        this.reserved.add(candidate);
        return candidate;
      }
    }
  }

  /** An export may only write into the folder: anything else is refused. */
  assertWritable(path: string): void {
    const target = resolve(path);
    if (dirname(target) !== this.dir || !this.insideFolder(dirname(target))) {
      throw new ReportError('PermissionDenied', `The browser host writes exports only into ${this.dir}. Use the path that chooseExportPath gives.`);
    }
    this.reserved.delete(target);
  }

  /** The real path of a file to download; refuses anything outside the folder, symbolic links included. */
  readableFile(path: string): string {
    const target = resolve(path);
    const denied = new ReportError('PermissionDenied', 'Only files in the exports folder can be downloaded.');
    if (!target.startsWith(this.dir + sep)) throw denied;
    let real: string;
    try {
      real = realpathSync(target);
    } catch {
      throw new ReportError('NotFound', `There is no export file ${basename(path)}.`);
    }
    if (!this.insideFolder(real) || !statSync(real).isFile()) throw denied;
    return real;
  }

  readableFileOrNull(path: string): string | null {
    try {
      return this.readableFile(path);
    } catch {
      return null;
    }
  }

  private insideFolder(path: string): boolean {
    if (!existsSync(this.dir)) return false;
    const folder = realpathSync(this.dir);
    const real = existsSync(path) ? realpathSync(path) : path;
    return real === folder || real.startsWith(folder + sep);
  }
}
