// Exports of cached runs to CSV and Excel: checks a request, takes a snapshot
// of the run's cache, runs the export in the background and records it in the
// library. An export never touches the database the report came from.
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { extname, resolve } from 'node:path';
import type { AppEvent, ExportFormat, ExportRequest, ExportSummary } from '../../../src-preload/contract.ts';
import type { Library, RunRecord } from '../cache/library.ts';
import type { RunState } from '../cache/run-file.ts';
import { ReportError, asCacheError } from '../errors.ts';
import { ownedByAnotherLiveProcess } from '../process-alive.ts';
import { CachedRows } from './cached-rows.ts';
import { ExportJob, type JobSettings } from './export-job.ts';
import { tempPathOf } from './output-file.ts';
import { EXCEL_DATA_ROWS } from './xlsx-writer.ts';

export interface ExportDeps {
  library: Library;
  /** The library record of a run; throws NotFound for an unknown id. */
  runFile: (runId: string) => RunRecord;
  isRunActive: (runId: string) => boolean;
  emit: (event: AppEvent) => void;
}

/** Engine-side tuning, not part of the contract: tests use small sheets and batches. */
export interface ExportTuning {
  /** Data rows per Excel sheet; Excel's 1,048,575 by default. */
  rowsPerSheet?: number;
  /** Rows read from the cache per batch; by default 2,000 for CSV and 500 for Excel. */
  batchRows?: number;
  /** Worker threads that read and format a CSV export (0: the export's own thread); by default `csvWorkersFor`. */
  csvWorkers?: number;
}

/** Rows per batch: the event loop waits for one batch at most (about 10 ms here in either format). */
const BATCH_ROWS: Record<ExportFormat, number> = { csv: 2_000, xlsx: 500 };
/** About this many characters per batch, so long text does not make a batch huge. */
const BATCH_CHARS = 1_000_000;
const FORMATS: readonly ExportFormat[] = ['csv', 'xlsx'];
/** Below this many rows, starting worker threads costs more than they save. */
const CSV_WORKERS_MIN_ROWS = 50_000;
/** Two workers keep the writer busy; the machine measured has two cores. */
const CSV_WORKERS = 2;

function formatOf(request: ExportRequest, path: string): ExportFormat {
  const extension = extname(path).slice(1).toLowerCase();
  const byName = (FORMATS as readonly string[]).includes(extension) ? (extension as ExportFormat) : undefined;
  const format = request.format ?? byName;
  if (format === undefined) throw new ReportError('InvalidArgument', `Name the file .csv or .xlsx (got "${path}"), or choose a format.`);
  if (!FORMATS.includes(format)) throw new ReportError('InvalidArgument', `Exports are CSV or Excel (xlsx), not "${String(format)}".`);
  if (byName !== undefined && byName !== format) {
    throw new ReportError('InvalidArgument', `The file is named .${byName} but the format asked for is ${format}; make them agree.`);
  }
  return format;
}

/** The sentence that says a file holds part of a report. */
function partialNote(state: RunState, stillRunning: boolean): string | null {
  if (state.status === 'completed') return null;
  const rows = `${state.rowsCached.toLocaleString('en-US')} ${state.rowsCached === 1 ? 'row' : 'rows'}`;
  if (stillRunning || state.status === 'running' || state.status === 'queued') {
    return `The report was still running: the file holds the ${rows} cached when the export started, not the whole report.`;
  }
  return `The report was ${state.status} before it finished: the file holds the ${rows} cached, not the whole report.`;
}

/** Worker threads for a CSV export: only for a big run that nothing writes any more, on more than one core. */
function csvWorkersFor(format: ExportFormat, state: RunState, stillRunning: boolean): number {
  const settled = state.status !== 'queued' && state.status !== 'running' && !stillRunning;
  if (format !== 'csv' || !settled || state.rowsCached < CSV_WORKERS_MIN_ROWS || availableParallelism() < 2) return 0;
  return CSV_WORKERS;
}

export class ExportManager {
  private readonly active = new Map<string, ExportJob>();
  private closing = false;

  constructor(private readonly deps: ExportDeps) {
    this.recoverInterrupted();
  }

  /** Exports the last process left running died with it: remove their unfinished files and say so. */
  private recoverInterrupted(): void {
    for (const { summary, ownerPid, ownerSeenAt } of this.deps.library.runningExports()) {
      // Another process sharing this cache (the CLI beside the app) may still be writing it.
      if (ownedByAnotherLiveProcess(ownerPid, ownerSeenAt)) continue;
      try {
        rmSync(tempPathOf(summary.path, summary.exportId), { force: true });
      } catch {
        // a folder gone read-only must not stop the app from starting; the record still says what happened
      }
      this.deps.library.putExport({
        ...summary,
        status: 'failed',
        endedAt: new Date().toISOString(),
        error: { kind: 'ExportFailed', message: 'The app stopped during this export; its unfinished file was removed. Export again.' },
      });
    }
  }

  /** Starts an export and returns at once; progress and the end arrive as events (or through `waitFor`). */
  async start(request: ExportRequest, tuning: ExportTuning = {}): Promise<ExportSummary> {
    if (this.closing) throw new ReportError('Unsupported', 'ReportStream is closing; export after it starts again.');
    const record = this.deps.runFile(request.runId);
    if (typeof request.path !== 'string' || request.path.trim() === '') throw new ReportError('InvalidArgument', 'An export needs a file path.');
    const path = resolve(request.path);
    const format = formatOf(request, path);
    if ([record.file, `${record.file}-wal`, `${record.file}-shm`].map((file) => resolve(file)).includes(path)) {
      throw new ReportError('InvalidArgument', 'An export cannot overwrite the report cache itself. Choose another file.');
    }
    for (const job of this.active.values()) {
      if (job.path === path) throw new ReportError('InvalidArgument', `${path} is already being exported; wait for that export or cancel it.`);
    }
    const settings: Omit<JobSettings, 'csvWorkers'> = {
      format,
      bom: request.bom === true,
      formulaGuard: request.formulaGuard !== false,
      rowsPerSheet: tuning.rowsPerSheet ?? EXCEL_DATA_ROWS,
      batchRows: tuning.batchRows ?? BATCH_ROWS[format],
      batchChars: BATCH_CHARS,
    };
    if (!Number.isInteger(settings.rowsPerSheet) || settings.rowsPerSheet < 1 || settings.rowsPerSheet > EXCEL_DATA_ROWS) {
      throw new ReportError('InvalidArgument', `A sheet holds 1 to ${EXCEL_DATA_ROWS.toLocaleString('en-US')} data rows.`);
    }
    const rows = (() => {
      try {
        return CachedRows.open(record.file);
      } catch (err) {
        throw asCacheError(err, record.file);
      }
    })();
    const exportId = randomUUID();
    let job: ExportJob;
    try {
      const stillRunning = this.deps.isRunActive(request.runId);
      const note = partialNote(rows.state, stillRunning);
      const csvWorkers = tuning.csvWorkers ?? csvWorkersFor(format, rows.state, stillRunning);
      job = new ExportJob(exportId, request.runId, path, rows, { ...settings, csvWorkers }, {
        onProgress: (progress) => this.deps.emit({ kind: 'export-progress', exportId, runId: request.runId, progress }),
        onStatus: (summary) => {
          this.deps.library.putExport(summary);
          if (summary.status !== 'running') this.active.delete(exportId);
          this.deps.emit({ kind: 'export-status', exportId, runId: request.runId, status: summary.status, export: summary });
        },
      }, note ? [note] : []);
      this.deps.library.putExport(job.current());
    } catch (err) {
      rows.close();
      throw asCacheError(err, record.file);
    }
    this.active.set(exportId, job);
    const summary = job.current();
    this.deps.emit({ kind: 'export-status', exportId, runId: request.runId, status: 'running', export: summary });
    // run() settles the export itself; a throw here could only come from a status listener.
    job.run().catch(() => {});
    return summary;
  }

  private known(exportId: string): ExportSummary {
    const summary = this.active.get(exportId)?.current() ?? this.deps.library.getExport(exportId);
    if (!summary) throw new ReportError('NotFound', `There is no export with id ${exportId}.`);
    return summary;
  }

  /** Stops an export and removes its unfinished file; an export that already ended is returned as it is. */
  async cancel(exportId: string): Promise<ExportSummary> {
    const job = this.active.get(exportId);
    if (!job) return this.known(exportId);
    job.cancel();
    return job.done;
  }

  /** The export's final summary, once it has completed, been cancelled or failed. */
  async waitFor(exportId: string): Promise<ExportSummary> {
    const job = this.active.get(exportId);
    return job ? job.done : this.known(exportId);
  }

  /** Exports newest first, those under way with their live progress. */
  list(runId?: string): ExportSummary[] {
    return this.deps.library.listExports(runId).map((summary) => this.active.get(summary.exportId)?.current() ?? summary);
  }

  /** Cancels the exports of a run that is being deleted, and waits until they have let go of its file. */
  async cancelForRun(runId: string): Promise<void> {
    const jobs = [...this.active.values()].filter((job) => job.runId === runId);
    await Promise.all(jobs.map((job) => this.cancel(job.exportId)));
  }

  /** The exports this process is writing now. */
  activeIds(): string[] {
    return [...this.active.keys()];
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all([...this.active.keys()].map((exportId) => this.cancel(exportId)));
  }
}
