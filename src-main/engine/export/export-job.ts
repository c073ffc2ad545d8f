// One export: read a snapshot of the cache in batches, hand them to the format
// writer with backpressure, report progress, and end in exactly one of
// completed | cancelled | failed. Only a completed export leaves a file under
// the target name. Status changes happen in `transition` and nowhere else.
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { ExportFormat, ExportProgress, ExportStatus, ExportSummary } from '../../../src-preload/contract.ts';
import { ReportError, toAppError } from '../errors.ts';
import { computeProgress, rssMB } from '../progress.ts';
import type { CachedRows } from './cached-rows.ts';
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

export class ExportJob {
  private status: ExportStatus = 'running';
  private summary: ExportSummary;
  private rowsWritten = 0;
  private peakRss = rssMB();
  private lastProgressAt = 0;
  private readonly startedMs = Date.now();
  private writer: RowWriter | null = null;
  private readonly cancelRequest: Promise<'cancel'>;
  private requestCancel!: () => void;
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
    this.cancelRequest = new Promise((resolve) => (this.requestCancel = () => resolve('cancel')));
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
    this.requestCancel();
  }

  private emitProgress(): void {
    const now = Date.now();
    if (now - this.lastProgressAt < PROGRESS_EVERY_MS) return;
    this.lastProgressAt = now;
    this.hooks.onProgress(this.progress());
  }

  /** Waits for a step of the writer, unless a cancel comes first. */
  private async step(work: Promise<void>): Promise<boolean> {
    work.catch(() => {}); // a step overtaken by a cancel may still fail; that failure no longer matters
    return (await Promise.race([work.then(() => 'step' as const), this.cancelRequest])) === 'step';
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
      if (going) {
        for (const batch of this.rows.batches({ rows: this.settings.batchRows, chars: this.settings.batchChars })) {
          going = await this.step(writer.writeRows(batch));
          if (!going) break;
          this.rowsWritten += batch.length;
          this.peakRss = Math.max(this.peakRss, rssMB());
          this.emitProgress();
          await nextTurn(); // reading the cache is synchronous: let events, page reads and cancels in between batches
        }
      }
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
      const error = err instanceof ReportError ? err : new ReportError('ExportFailed', `The export failed: ${(err as Error)?.message ?? String(err)}`, { cause: err });
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
