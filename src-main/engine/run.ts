// One stretch of a report run: read chunks from the source, cache each with
// its resume key in one transaction, report progress, and end in exactly one
// of completed | cancelled | failed | interrupted. Status changes happen in
// `transition` and nowhere else.
import type { RunProgress, RunStatus } from '../../src-preload/contract.ts';
import type { RunFileWriter, RunState } from './cache/run-file.ts';
import { ReportError, isReportError, toAppError } from './errors.ts';
import { computeProgress, rssMB } from './progress.ts';
import type { PreparedReport } from './sources/report-query.ts';
import type { ChunkReader, ReportSource } from './sources/source.ts';

export interface RunSettings {
  chunkSize: number;
  /** A run with no new rows for this long fails with Timeout. */
  noProgressTimeoutMs: number;
  /** Reconnect tries after a lost connection, before the run stops as interrupted. */
  reconnectTries: number;
  reconnectBackoffMs: number;
  /**
   * A read silent this long checks that the server still works on the report and fails with
   * ConnectionLost when it does not (half-open links). Default 30 s; see the PostgreSQL reader.
   */
  readTimeoutMs?: number;
}

export type StopReason = 'cancel' | 'interrupt';

const ALLOWED: Record<RunStatus, readonly RunStatus[]> = {
  queued: ['running', 'cancelled', 'failed', 'interrupted'],
  running: ['completed', 'cancelled', 'failed', 'interrupted'],
  completed: [],
  cancelled: [],
  failed: [],
  interrupted: [],
};

const PROGRESS_EVERY_MS = 100;
const TOTALS_DELAY_MS = 250;

export interface RunHooks {
  onProgress(progress: RunProgress): void;
  onStatus(status: RunStatus, state: RunState): void;
}

export class ReportRun {
  private status: RunStatus = 'queued';
  private state: RunState;
  private stopReason: StopReason | null = null;
  private reader: ChunkReader | null = null;
  private readonly keyIndexes: number[];
  private readonly countAbort = new AbortController();
  private wakeBackoff: (() => void) | null = null;
  /** Set after a lost connection: the next reader reads a new snapshot, so it starts a new part. */
  private newSnapshot = false;
  private totalsStarted = false;
  private reconnect: { attempt: number; of: number } | undefined;
  private stretchStartedAt = Date.now();
  private stretchRows = 0;
  private lastProgressAt = 0;
  /** Resolves when the run has reached its final status. */
  readonly finished: Promise<void>;
  private resolveFinished!: () => void;

  constructor(
    readonly runId: string,
    private readonly writer: RunFileWriter,
    private readonly source: ReportSource,
    private readonly report: PreparedReport,
    private readonly settings: RunSettings,
    private readonly hooks: RunHooks,
  ) {
    this.state = writer.readState();
    this.keyIndexes = report.order.map((key) => report.columns.findIndex((c) => c.name === key.column));
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve));
  }

  get currentStatus(): RunStatus {
    return this.status;
  }

  progress(): RunProgress {
    const finished = this.status === 'completed';
    const stretchMs = Date.now() - this.stretchStartedAt;
    return {
      rowsCached: this.state.rowsCached,
      totalRows: this.state.totalRows,
      totalIsExact: this.state.totalExact,
      ...computeProgress({
        done: this.state.rowsCached,
        total: this.state.totalRows,
        totalIsExact: this.state.totalExact,
        stretchDone: this.stretchRows,
        stretchMs,
        finished,
      }),
      elapsedMs: this.state.activeMs + (this.status === 'running' ? stretchMs : 0),
      ...(this.reconnect ? { reconnect: this.reconnect } : {}),
    };
  }

  private transition(to: RunStatus, patch: Partial<RunState> = {}): void {
    if (!ALLOWED[this.status].includes(to)) throw new ReportError('Internal', `A run cannot go from ${this.status} to ${to}.`);
    this.status = to;
    this.state = { ...this.state, ...patch, status: to };
    // Start-up recovery goes by the library, so the library says 'running' before the run file does:
    // a process killed between the two writes never leaves a running file the library calls stopped.
    if (to === 'running') this.hooks.onStatus(to, this.state);
    this.writer.updateState({ ...patch, status: to });
    if (to !== 'running') this.hooks.onStatus(to, this.state);
  }

  private emitProgress(force = false): void {
    const now = Date.now();
    if (!force && now - this.lastProgressAt < PROGRESS_EVERY_MS) return;
    this.lastProgressAt = now;
    this.hooks.onProgress(this.progress());
  }

  /** Runs until the report is fully cached, stopped, or fails. Never throws. */
  async execute(): Promise<void> {
    const startedAt = new Date();
    this.stretchStartedAt = startedAt.getTime();
    this.writer.beginPart(startedAt.toISOString());
    this.transition('running', { startedAt: this.state.startedAt ?? startedAt.toISOString(), endedAt: null, errorKind: null, errorMessage: null });
    if (this.state.totalRows === null && this.report.catalogEstimate != null) {
      this.state.totalRows = this.report.catalogEstimate;
      this.writer.updateState({ totalRows: this.report.catalogEstimate });
    }
    // The count and estimate queries compete with the first chunk for the server: start them once it is
    // cached, or a moment later when the first chunk is slow to come.
    const totalsTimer = setTimeout(() => this.startTotals(), TOTALS_DELAY_MS);
    let failure: ReportError | null = null;
    for (let attempt = 0; ; ) {
      const rowsBefore = this.state.rowsCached;
      try {
        await this.readToEnd();
        break;
      } catch (err) {
        if (this.stopReason) break;
        // Tries count per outage: a reconnect that cached rows before the next loss starts afresh.
        if (this.state.rowsCached > rowsBefore) attempt = 0;
        let error = isReportError(err) ? err : new ReportError('Internal', toAppError(err).message, { cause: err });
        // While reconnecting, a server that is down or restarting is the same outage, not a new failure.
        if (attempt > 0 && error.kind === 'Unreachable') error = new ReportError('ConnectionLost', error.message, { cause: err });
        if (error.kind === 'ConnectionLost' && attempt === this.settings.reconnectTries && attempt > 0) {
          failure = new ReportError(
            'ConnectionLost',
            `The connection to the database was lost and ${attempt === 1 ? 'the reconnect try' : `all ${attempt} reconnect tries`} failed. The rows cached so far are kept; resume when the server is back. (Last error: ${error.message})`,
            { cause: err },
          );
          break;
        }
        if (error.kind === 'ConnectionLost' && this.report.resumable && attempt < this.settings.reconnectTries) {
          attempt++;
          this.newSnapshot = true;
          this.reconnect = { attempt, of: this.settings.reconnectTries };
          this.emitProgress(true);
          await this.backoff(this.settings.reconnectBackoffMs * 2 ** (attempt - 1));
          if (this.stopReason) break;
          continue;
        }
        failure = error;
        break;
      }
    }
    this.reconnect = undefined;
    clearTimeout(totalsTimer);
    this.countAbort.abort();
    this.finish(failure, startedAt.getTime());
  }

  private finish(failure: ReportError | null, startedAtMs: number): void {
    const endedAt = new Date().toISOString();
    this.writer.endPart(endedAt);
    const base: Partial<RunState> = { endedAt, activeMs: this.state.activeMs + (Date.now() - startedAtMs) };
    if (this.stopReason === 'cancel') this.transition('cancelled', { ...base, errorKind: 'Cancelled', errorMessage: 'Cancelled by the user; the rows cached so far are kept.' });
    else if (this.stopReason === 'interrupt') this.transition('interrupted', { ...base, errorKind: null, errorMessage: 'Stopped when the app closed; resume to continue.' });
    else if (failure) {
      // A connection that stays lost after every retry leaves the run resumable by hand.
      const to: RunStatus = failure.kind === 'ConnectionLost' && this.report.resumable ? 'interrupted' : 'failed';
      this.transition(to, { ...base, errorKind: failure.kind, errorMessage: failure.message });
    } else this.transition('completed', { ...base, totalRows: this.state.rowsCached, totalExact: true });
    this.emitProgress(true);
    this.resolveFinished();
  }

  /** An estimate at once; the exact count from its own connection when it is ready. */
  private startTotals(): void {
    if (this.totalsStarted || this.state.totalExact || this.status !== 'running') return;
    this.totalsStarted = true;
    const signal = this.countAbort.signal;
    if (this.state.totalRows === null) {
      void this.source.estimateRows(this.report).then((estimate) => {
        if (estimate !== null && !this.state.totalExact && this.status === 'running') {
          this.state.totalRows = estimate;
          this.writer.updateState({ totalRows: estimate });
          this.emitProgress(true);
        }
      });
    }
    this.source.countRows(this.report, signal).then(
      (count) => {
        if (signal.aborted || this.status !== 'running') return;
        this.state.totalRows = count;
        this.state.totalExact = true;
        this.writer.updateState({ totalRows: count, totalExact: true });
        this.emitProgress(true);
      },
      () => {}, // the count is a nicety; the run goes on without it
    );
  }

  /** Reads chunk after chunk until the end or a stop. Throws on read errors. */
  private async readToEnd(): Promise<void> {
    const after = this.report.resumable ? this.state.lastKey : null;
    const reader = await this.source.openReader(this.report, after, this.settings.chunkSize, { readTimeoutMs: this.settings.readTimeoutMs });
    this.reader = reader;
    if (this.newSnapshot) {
      const now = new Date().toISOString();
      this.writer.endPart(now);
      this.writer.beginPart(now);
      this.newSnapshot = false;
    }
    try {
      if (this.stopReason) return;
      let pending = this.readWithTimeout(reader);
      for (;;) {
        const rows = await pending;
        if (this.stopReason || rows.length === 0) return;
        // Ask for the next chunk before writing this one, so the server works while SQLite does.
        pending = this.readWithTimeout(reader);
        pending.catch(() => {});
        this.cacheChunk(rows);
        if (this.reconnect) this.reconnect = undefined;
      }
    } finally {
      this.reader = null;
      await reader.close();
    }
  }

  private cacheChunk(rows: (string | null)[][]): void {
    const last = rows[rows.length - 1] as (string | null)[];
    const lastKey = this.report.resumable ? this.keyIndexes.map((i) => last[i] ?? null) : null;
    const peak = Math.max(this.state.peakRssMB ?? 0, rssMB());
    this.writer.appendChunk(rows, lastKey, peak);
    const first = this.state.rowsCached === 0 && this.state.firstChunkMs === null;
    this.state.rowsCached += rows.length;
    this.state.lastKey = lastKey;
    this.state.peakRssMB = peak;
    this.stretchRows += rows.length;
    if (first) {
      this.state.firstChunkMs = Date.now() - this.stretchStartedAt;
      this.writer.updateState({ firstChunkMs: this.state.firstChunkMs });
    }
    this.emitProgress(first);
    if (first) this.startTotals();
  }

  private readWithTimeout(reader: ChunkReader): Promise<(string | null)[][]> {
    const limit = this.settings.noProgressTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        void reader.cancel();
        const minutes = limit >= 60_000 ? `${Math.round(limit / 60_000)} minutes` : `${Number((limit / 1000).toFixed(1))} seconds`;
        reject(new ReportError('Timeout', `No rows arrived for ${minutes}. Add a filter or pick a smaller dataset; the rows cached so far are kept and the run can resume.`));
      }, limit);
    });
    return Promise.race([reader.read(), timeout]).finally(() => clearTimeout(timer));
  }

  private backoff(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeBackoff = () => {
        clearTimeout(timer);
        resolve();
      };
    }).finally(() => {
      this.wakeBackoff = null;
    });
  }

  /** Stops the run: the query stops on the server, cached rows stay. Resolves once the final status is written. */
  async stop(reason: StopReason): Promise<void> {
    if (this.status !== 'running' && this.status !== 'queued') return;
    this.stopReason ??= reason;
    this.countAbort.abort();
    this.wakeBackoff?.();
    await this.reader?.cancel();
    await this.finished;
  }
}
