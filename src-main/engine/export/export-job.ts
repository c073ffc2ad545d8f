// One export: read a snapshot of the cache in batches, hand them to the format
// writer with backpressure, report progress, and end in exactly one of
// completed | cancelled | failed. Only a completed export leaves a file under
// the target name. Status changes happen in `transition` and nowhere else.
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { ExportFormat, ExportProgress, ExportStatus, ExportSummary } from '../../../src-preload/contract.ts';
import { ReportError, asCacheError, toAppError } from '../errors.ts';
import { computeProgress, rssMB } from '../progress.ts';
import type { CachedRows } from './cached-rows.ts';
import { CsvThreads } from './csv-threads.ts';
import { CsvWriter } from './csv-writer.ts';
import { OutputFile } from './output-file.ts';
import type { RowWriter } from './row-writer.ts';
import { XlsxWriter } from './xlsx-writer.ts';

export interface JobSettings {
  format: ExportFormat;
  bom: boolean;
  formulaGuard: boolean;
  rowsPerSheet: number;
  batchRows: number;
  batchChars: number;
  /** Worker threads that read and format a CSV export; 0: the export's own thread does. */
  csvWorkers: number;
}

export interface JobHooks {
  onProgress(progress: ExportProgress): void;
  onStatus(summary: ExportSummary): void;
}

const ALLOWED: Record<ExportStatus, readonly ExportStatus[]> = {
  running: ['completed', 'cancelled', 'failed'],
  completed: [],
  cancelled: [],
  failed: [],
};

const PROGRESS_EVERY_MS = 100;
const CANCELLED = Symbol('cancelled');

export class ExportJob {
  private status: ExportStatus = 'running';
  private summary: ExportSummary;
  private rowsWritten = 0;
  private peakRss = rssMB();
  private lastProgressAt = 0;
  private readonly startedMs = Date.now();
  private writer: RowWriter | null = null;
  private readonly cancelling = new AbortController();
  /** Resolves with the final summary, whatever the outcome. */
  readonly done: Promise<ExportSummary>;
  private resolveDone!: (summary: ExportSummary) => void;

  constructor(
    readonly exportId: string,
    readonly runId: string,
    readonly path: string,
    private readonly rows: CachedRows,
    private readonly settings: JobSettings,
    private readonly hooks: JobHooks,
    /** Sentences known before writing, such as "this run is partial". */
    private readonly notes: string[],
  ) {
    this.summary = {
      exportId,
      runId,
      path,
      format: settings.format,
      status: 'running',
      rowsExpected: rows.rowCount,
      rowsWritten: 0,
      sheets: 0,
      warnings: [...notes],
      partial: rows.state.status !== 'completed',
      progress: this.progress(),
      startedAt: new Date(this.startedMs).toISOString(),
      endedAt: null,
      ms: null,
      peakRssMB: null,
      error: null,
    };
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  get currentStatus(): ExportStatus {
    return this.status;
  }

  current(): ExportSummary {
    if (this.status !== 'running') return this.summary;
    return { ...this.summary, rowsWritten: this.rowsWritten, sheets: this.writer?.sheets ?? 0, progress: this.progress(), peakRssMB: this.peakRss };
  }

  private progress(): ExportProgress {
    const rowsExpected = this.rows.rowCount;
    const elapsed = Date.now() - this.startedMs;
    const computed = computeProgress({
      done: this.rowsWritten,
      total: rowsExpected,
      totalIsExact: true,
      stretchDone: this.rowsWritten,
      stretchMs: elapsed,
      finished: this.status === 'completed',
    });
    return { rowsWritten: this.rowsWritten, rowsExpected, percent: computed.percent ?? 0, rowsPerSec: computed.rowsPerSec, etaSeconds: computed.etaSeconds };
  }

  private transition(to: ExportStatus, error: ReportError | null = null): void {
    if (!ALLOWED[this.status].includes(to)) throw new ReportError('Internal', `An export cannot go from ${this.status} to ${to}.`);
    const endedMs = Date.now();
    const summary = this.current();
    this.status = to;
    this.summary = {
      ...summary,
      status: to,
      warnings: [...this.notes, ...(this.writer?.warnings() ?? [])],
      progress: this.progress(),
      endedAt: new Date(endedMs).toISOString(),
      ms: endedMs - this.startedMs,
      error: error ? toAppError(error) : null,
    };
    if (to === 'completed') this.hooks.onProgress(this.summary.progress);
    this.hooks.onStatus(this.summary);
  }

  /** Asks the export to stop; `done` resolves once the unfinished file is gone. */
  cancel(): void {
    this.cancelling.abort();
  }

  private emitProgress(): void {
    const now = Date.now();
    if (now - this.lastProgressAt < PROGRESS_EVERY_MS) return;
    this.lastProgressAt = now;
    this.hooks.onProgress(this.progress());
  }

  /** Waits for work, unless a cancel comes (or has come) first. */
  private async unlessCancelled<T>(work: Promise<T>): Promise<T | typeof CANCELLED> {
    work.catch(() => {}); // work overtaken by a cancel may still fail; that failure no longer matters
    const signal = this.cancelling.signal;
    if (signal.aborted) return CANCELLED;
    // A listener taken off again, not a race with one long-lived promise: every race would keep its result alive until the export ends.
    return new Promise((resolve, reject) => {
      const onCancel = (): void => resolve(CANCELLED);
      signal.addEventListener('abort', onCancel, { once: true });
      work.then(
        (value) => {
          signal.removeEventListener('abort', onCancel);
          resolve(value);
        },
        (err: unknown) => {
          signal.removeEventListener('abort', onCancel);
          reject(err);
        },
      );
    });
  }

  /** Waits for a step of the writer; false when a cancel came first. */
  private async step(work: Promise<void>): Promise<boolean> {
    return (await this.unlessCancelled(work)) !== CANCELLED;
  }

  private counted(rows: number): void {
    this.rowsWritten += rows;
    this.peakRss = Math.max(this.peakRss, rssMB());
    this.emitProgress();
  }

  /** Reads and writes the rows in this thread; false when cancelled. */
  private async writeBatches(writer: RowWriter): Promise<boolean> {
    for (const batch of this.rows.batches({ rows: this.settings.batchRows, chars: this.settings.batchChars })) {
      if (!(await this.step(writer.writeRows(batch)))) return false;
      this.counted(batch.length);
      await nextTurn(); // reading the cache is synchronous: let events, page reads and cancels in between batches
    }
    return true;
  }

  /** CSV that worker threads format, written here in order; in this thread when they cannot be used. False when cancelled. */
  private async writeThreaded(writer: CsvWriter): Promise<boolean> {
    const starting = CsvThreads.start({
      path: this.rows.path,
      state: this.rows.state,
      format: writer.format,
      limits: { rows: this.settings.batchRows, chars: this.settings.batchChars },
      workers: this.settings.csvWorkers,
    });
    const threads = await this.unlessCancelled(starting);
    if (threads === CANCELLED) {
      await starting.then((started) => started?.close()).catch(() => {});
      return false;
    }
    if (!threads) return this.writeBatches(writer);
    try {
      for (;;) {
        const lines = await this.unlessCancelled(threads.next());
        if (lines === CANCELLED) return false;
        if (lines === null) return true;
        if (!(await this.step(writer.writeLines(lines.bytes)))) return false;
        this.counted(lines.rows);
        await nextTurn();
      }
    } finally {
      await threads.close();
    }
  }

  /** Writes the file and settles the export. Never throws. */
  async run(): Promise<void> {
    let output: OutputFile | null = null;
    try {
      await nextTurn(); // let start() return its summary before the work begins
      output = await OutputFile.create(this.path, this.exportId);
      const writer = this.createWriter(output);
      this.writer = writer;
      let going = await this.step(writer.begin());
      if (going) going = writer instanceof CsvWriter && this.settings.csvWorkers > 0 ? await this.writeThreaded(writer) : await this.writeBatches(writer);
      going = going && (await this.step(writer.finish()));
      // Past this point the file is whole: the rename is not interrupted.
      if (going) {
        await output.commit();
        this.rows.close();
        this.peakRss = Math.max(this.peakRss, rssMB());
        this.transition('completed');
      } else {
        await this.discard(output);
        this.transition('cancelled');
      }
    } catch (err) {
      await this.discard(output);
      const damaged = asCacheError(err, this.rows.path);
      const error =
        damaged instanceof ReportError ? damaged : new ReportError('ExportFailed', `The export failed: ${(err as Error)?.message ?? String(err)}`, { cause: err });
      // A failure while reporting success (the file is already in place) does not turn it into a failed export.
      if (this.status === 'running') this.transition('failed', error);
    } finally {
      this.rows.close();
      this.resolveDone(this.summary);
    }
  }

  private createWriter(output: OutputFile): RowWriter {
    const { format, bom, formulaGuard, rowsPerSheet } = this.settings;
    switch (format) {
      case 'csv':
        return new CsvWriter(output, this.rows.columns, { bom, formulaGuard });
      case 'xlsx':
        return new XlsxWriter(output, this.rows.columns, { formulaGuard, rowsPerSheet, sheetName: this.rows.header.name });
      default: {
        const unknown: never = format;
        throw new ReportError('InvalidArgument', `Unknown export format ${String(unknown)}.`);
      }
    }
  }

  private async discard(output: OutputFile | null): Promise<void> {
    await this.writer?.abort().catch(() => {});
    await output?.discard();
  }
}
