// The file an export writes: a hidden temporary file beside the target, renamed
// onto the target only when complete and flushed to disk, removed otherwise. So
// the target name never holds a half-written file, and an error never ends up
// inside one.
import { createWriteStream, type WriteStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ReportError } from '../errors.ts';

/** Where the unfinished file of an export lives; derived, so a restart can find and remove it. */
export const tempPathOf = (target: string, exportId: string): string =>
  // The name is cut so that the temporary name stays within file-name limits whenever the target's is.
  join(dirname(target), `.${basename(target).slice(0, 120)}.${exportId}.partial`);

/** Turns a file-system error into a message a person can act on. */
export function fileError(err: unknown, target: string): ReportError {
  if (err instanceof ReportError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const folder = dirname(target);
  switch (code) {
    case 'ENOENT':
      return new ReportError('ExportFailed', `The folder ${folder} does not exist. Choose another place for ${basename(target)}.`, { cause: err });
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new ReportError('PermissionDenied', `ReportStream may not write ${target}. Choose a folder you can write to.`, { cause: err });
    case 'ENOSPC':
    case 'EDQUOT':
      return new ReportError('ExportFailed', `The disk holding ${folder} is full. Free some space and export again.`, { cause: err });
    case 'EISDIR':
    case 'ENOTEMPTY':
    case 'EEXIST':
      return new ReportError('ExportFailed', `${target} is a folder. Choose a file name.`, { cause: err });
    case 'EBUSY':
      return new ReportError('ExportFailed', `${target} is open in another program. Close it there and export again.`, { cause: err });
    case 'ENOTDIR':
      return new ReportError('ExportFailed', `${folder} is not a folder. Choose another place for ${basename(target)}.`, { cause: err });
    default:
      return new ReportError('ExportFailed', `Writing ${target} failed: ${(err as Error | undefined)?.message ?? String(err)}.`, { cause: err });
  }
}

export class OutputFile {
  private error: Error | null = null;
  /** Rejects when the file stream fails; for waits that would otherwise never end. */
  readonly failed: Promise<never>;

  private constructor(
    readonly target: string,
    readonly tempPath: string,
    readonly stream: WriteStream,
  ) {
    // Without a listener a write error would crash the process; it is reported at the next write instead.
    this.failed = new Promise<never>((_, reject) => {
      stream.on('error', (err) => {
        this.error ??= err;
        reject(fileError(this.error, target));
      });
    });
    this.failed.catch(() => {});
  }

  /** Creates the temporary file (never an existing one); fails at once when the folder is missing or read-only. */
  static async create(target: string, exportId: string): Promise<OutputFile> {
    const existing = await stat(target).catch(() => null);
    if (existing?.isDirectory()) throw new ReportError('ExportFailed', `${target} is a folder. Choose a file name.`);
    const tempPath = tempPathOf(target, exportId);
    const stream = createWriteStream(tempPath, { flags: 'wx', highWaterMark: 256 * 1024 });
    await new Promise<void>((resolve, reject) => {
      stream.once('ready', () => resolve());
      stream.once('error', reject);
    }).catch((err: unknown) => {
      throw fileError(err, target);
    });
    return new OutputFile(target, tempPath, stream);
  }

  /** Throws the stream's error, if it had one. */
  check(): void {
    if (this.error) throw fileError(this.error, this.target);
  }

  /** Writes and waits while the disk is behind: the writer's backpressure. */
  async write(chunk: string | Uint8Array): Promise<void> {
    this.check();
    if (!this.stream.write(chunk)) await this.drained();
  }

  async drained(): Promise<void> {
    this.check();
    if (!this.stream.writableNeedDrain) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.stream.off('drain', done);
        this.stream.off('error', done);
        this.stream.off('close', done);
        resolve();
      };
      this.stream.on('drain', done);
      this.stream.on('error', done);
      this.stream.on('close', done);
    });
    this.check();
  }

  /** Resolves once everything written is in the file and the file is closed. */
  async closed(): Promise<void> {
    if (!this.stream.closed) {
      await new Promise<void>((resolve) => {
        this.stream.once('close', () => resolve());
      });
    }
    this.check();
  }

  /** Ends the stream (when the format writer has not), flushes the file to disk and renames it onto the target. */
  async commit(): Promise<void> {
    if (!this.stream.writableEnded) this.stream.end();
    await this.closed();
    try {
      const handle = await open(this.tempPath, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(this.tempPath, this.target);
    } catch (err) {
      throw fileError(err, this.target);
    }
  }

  /** Stops writing and removes the temporary file; never throws. */
  async discard(): Promise<void> {
    if (!this.stream.closed) {
      const closed = new Promise<void>((resolve) => this.stream.once('close', () => resolve()));
      this.stream.destroy();
      await closed;
    }
    await rm(this.tempPath, { force: true }).catch(() => {});
  }
}
