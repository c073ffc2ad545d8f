// ReportService: the one API every host calls (desktop IPC, browser host, CLI).
// It owns the library, the sources, the active runs and exports, and turns
// their progress into contract events.
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type {
  AppEvent,
  AppInfo,
  ColumnInfo,
  ConnectionTestResult,
  Dataset,
  ExportRequest,
  ExportSummary,
  LibraryStats,
  PostgresProfile,
  ProfileInput,
  ReportDefinition,
  RowsPage,
  RowsRequest,
  RunSummary,
  SourceInfo,
  SourceRef,
  SourceTestInput,
} from '../../src-preload/contract.ts';
import { Library, type RunRecord } from './cache/library.ts';
import { RunFileReader, RunFileWriter, inspectRunFile } from './cache/run-file.ts';
import { RowsReader, trimViews } from './cache/rows-query.ts';
import { ReportError, asCacheError } from './errors.ts';
import { ExportManager } from './export/export-manager.ts';
import { ReportRun, type RunSettings } from './run.ts';
import { MemorySecretStore, type SecretStore } from './secrets.ts';
import type { EngineMethods, ServiceEvents } from './service-api.ts';
import { runFileName } from './paths.ts';
import { OWNER_HEARTBEAT_MS, ownedByAnotherLiveProcess } from './process-alive.ts';
import { settingsFromEnv } from './settings.ts';
import { SourceRegistry } from './sources/registry.ts';
import { type PreparedReport, resumeKeyOf } from './sources/report-query.ts';
import type { ReportSource } from './sources/source.ts';
import { summarize, validateDefinition, stats } from './summaries.ts';

export interface ServiceOptions {
  cacheDir: string;
  /** At most this many runs at once; the next is refused with TooManyRuns. Default 5. */
  maxConcurrentRuns?: number;
  /** A run with no new rows for this long fails with Timeout. Default 5 minutes. */
  noProgressTimeoutMs?: number;
  chunkSize?: number;
  reconnectTries?: number;
  reconnectBackoffMs?: number;
  /**
   * A silent report connection is checked after this long, and dropped as lost when the server has forgotten it;
   * a short query (catalog, estimate, connection test) unanswered this long fails as ConnectionLost. Default 30 s; 0 turns both off.
   */
  readTimeoutMs?: number;
  secrets?: SecretStore;
  /** Memory kept for the sorted and filtered orders of finished reports, all reports together. Default 96 MB. */
  viewBudgetBytes?: number;
  host?: AppInfo['host'];
  version?: string;
  env?: NodeJS.ProcessEnv;
}

const ACTIVE = new Set(['queued', 'running']);

/** Memory for the sorted orders of finished reports across all open ones: two 10,000,000-row orders fit. */
const VIEW_BUDGET_BYTES = 96 * 1024 * 1024;

export class ReportService implements EngineMethods, ServiceEvents {
  readonly cacheDir: string;
  readonly exports: ExportManager;
  private readonly runsDir: string;
  private readonly library: Library;
  private readonly sources: SourceRegistry;
  private readonly secrets: SecretStore;
  private readonly settings: RunSettings & { maxConcurrentRuns: number };
  private readonly active = new Map<string, ReportRun>();
  /** Starts that hold a slot while they connect and check the report. */
  private starting = 0;
  private readonly readers = new Map<string, RowsReader>();
  private readonly listeners = new Set<(event: AppEvent) => void>();
  private readonly interruptedAtStart: string[];
  private readonly heartbeat: NodeJS.Timeout;

  private constructor(private readonly options: ServiceOptions) {
    this.cacheDir = resolve(options.cacheDir);
    this.runsDir = join(this.cacheDir, 'runs');
    mkdirSync(this.runsDir, { recursive: true });
    this.library = new Library(join(this.cacheDir, 'library.sqlite'));
    this.secrets = options.secrets ?? new MemorySecretStore();
    this.sources = new SourceRegistry(this.library, this.secrets, this.cacheDir, {
      ...(options.env ? { env: options.env } : {}),
      // The short queries of a PostgreSQL source wait as long as a silent report connection does.
      ...(options.readTimeoutMs !== undefined ? { answerTimeoutMs: options.readTimeoutMs } : {}),
    });
    this.settings = {
      maxConcurrentRuns: options.maxConcurrentRuns ?? 5,
      noProgressTimeoutMs: options.noProgressTimeoutMs ?? 5 * 60_000,
      chunkSize: options.chunkSize ?? 1000,
      reconnectTries: options.reconnectTries ?? 3,
      reconnectBackoffMs: options.reconnectBackoffMs ?? 1000,
      ...(options.readTimeoutMs !== undefined ? { readTimeoutMs: options.readTimeoutMs } : {}),
    };
    this.interruptedAtStart = this.recoverInterruptedRuns();
    this.exports = new ExportManager({
      library: this.library,
      runFile: (runId) => this.runRecord(runId),
      isRunActive: (runId) => this.active.has(runId),
      emit: (event) => this.emit(event),
    });
    // Other processes sharing the cache leave our runs and exports alone while we say we are alive.
    this.heartbeat = setInterval(() => {
      const exportIds = this.exports.activeIds();
      if (this.active.size === 0 && exportIds.length === 0) return;
      try {
        this.library.markAlive([...this.active.keys()], exportIds);
      } catch {
        // a library busy past its timeout: the next beat says it, long before anyone takes us for dead
      }
    }, OWNER_HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** Opens the cache; settings given here win over the REPORTSTREAM_* environment variables (see settings.ts). */
  static async open(options: ServiceOptions): Promise<ReportService> {
    return new ReportService({ ...settingsFromEnv(options.env ?? process.env), ...definedOnly(options) });
  }

  // ── events ──

  onEvent(listener: (event: AppEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: AppEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // one bad listener must not stop a run
      }
    }
  }

  /** Runs the process died in the middle of become interrupted, rows intact. */
  private recoverInterruptedRuns(): string[] {
    const found: string[] = [];
    for (const record of this.library.runsWithStatus(['queued', 'running'])) {
      // Another process sharing this cache (the CLI beside the app) may still be running it.
      if (ownedByAnotherLiveProcess(record.ownerPid, record.ownerSeenAt)) continue;
      try {
        const writer = RunFileWriter.open(record.file);
        // The process may have died after the run file recorded the end but before the library did: the file is right.
        if (ACTIVE.has(writer.readState().status)) {
          const endedAt = new Date().toISOString();
          writer.endPart(endedAt);
          writer.updateState({ status: 'interrupted', endedAt, errorKind: null, errorMessage: 'The app stopped while this report was running; resume to continue.' });
        }
        const state = writer.readState();
        writer.close();
        this.library.putRun({ ...record, state });
        if (state.status !== 'interrupted') continue;
      } catch {
        this.library.putRun({ ...record, state: { ...record.state, status: 'interrupted', endedAt: new Date().toISOString() } });
      }
      found.push(record.header.runId);
    }
    return found;
  }

  // ── app and sources ──

  async getAppInfo(): Promise<AppInfo> {
    return {
      name: 'ReportStream',
      version: this.options.version ?? '0.1.0',
      host: this.options.host ?? 'browser',
      cacheDir: this.cacheDir,
      maxConcurrentRuns: this.settings.maxConcurrentRuns,
      passwordStorage: this.secrets.status(),
      interruptedAtStart: this.interruptedAtStart.filter((id) => this.library.getRun(id)?.state.status === 'interrupted'),
    };
  }

  async listSources(): Promise<SourceInfo[]> {
    return this.sources.list();
  }

  async saveSource(input: ProfileInput): Promise<PostgresProfile> {
    return this.sources.save(input);
  }

  async testSource(input: SourceTestInput): Promise<ConnectionTestResult> {
    const source = 'ref' in input ? this.sources.open(input.ref) : this.sources.openUnsaved(input.profile);
    return source.test();
  }

  async removeSource({ profileId }: { profileId: string }): Promise<void> {
    this.sources.remove(profileId);
  }

  async listDatasets({ source }: { source: SourceRef }): Promise<Dataset[]> {
    return this.sources.open(source).listDatasets();
  }

  async describeSql({ source, sql }: { source: SourceRef; sql: string }): Promise<ColumnInfo[]> {
    validateDefinition({ source, sql });
    // The same checks a run makes (one read-only statement, run in a read-only transaction with LIMIT 0).
    return (await this.sources.open(source).prepare({ source, sql })).available;
  }

  // ── runs ──

  private runRecord(runId: string): RunRecord {
    const record = this.library.getRun(runId);
    if (!record) throw new ReportError('NotFound', `There is no saved report with id ${runId}.`);
    return record;
  }

  private summary(record: RunRecord): RunSummary {
    const run = this.active.get(record.header.runId);
    return summarize(record, run?.progress(), run?.currentStatus);
  }

  private reserveSlot(): () => void {
    const limit = this.settings.maxConcurrentRuns;
    if (this.active.size + this.starting >= limit) {
      throw new ReportError('TooManyRuns', `${limit} reports are already running, the most allowed at once (limit: ${limit}). Wait for one to finish or cancel one.`);
    }
    this.starting++;
    let released = false;
    return () => {
      if (!released) this.starting--;
      released = true;
    };
  }

  async startRun(definition: ReportDefinition): Promise<RunSummary> {
    validateDefinition(definition);
    const release = this.reserveSlot();
    try {
      const source = this.sources.open(definition.source, true);
      const report = await source.prepare(definition);
      const runId = randomUUID();
      const file = join(this.runsDir, runFileName(runId));
      const header = {
        runId,
        name: definition.name?.trim() || defaultName(definition),
        source: definition.source,
        sourceLabel: this.sources.label(definition.source),
        definition,
        columns: report.columns,
        resumeKey: resumeKeyOf(report),
        resumable: report.resumable,
        createdAt: new Date().toISOString(),
      };
      const writer = RunFileWriter.create(file, header);
      this.library.putRun({ file, header, name: header.name, state: writer.readState() });
      return this.launch(runId, writer, source, report, release);
    } catch (err) {
      release();
      throw err;
    }
  }

  private launch(runId: string, writer: RunFileWriter, source: ReportSource, report: PreparedReport, release: () => void): RunSummary {
    const chunkSize = this.runRecord(runId).header.definition.chunkSize ?? this.settings.chunkSize;
    const run = new ReportRun(runId, writer, source, report, { ...this.settings, chunkSize }, {
      onProgress: (progress) => this.emit({ kind: 'run-progress', runId, progress }),
      onStatus: (status, state) => {
        const record = this.runRecord(runId);
        this.library.putRun({ ...record, state: { ...state, lastKey: null } });
        if (!ACTIVE.has(status)) this.active.delete(runId);
        this.emit({ kind: 'run-status', runId, status, run: summarize({ ...record, state }, run.progress(), status) });
      },
    });
    this.active.set(runId, run);
    release();
    void run.execute().finally(() => {
      writer.close();
      void this.sources.release(source);
    });
    return this.summary(this.runRecord(runId));
  }

  async resumeRun({ runId }: { runId: string }): Promise<RunSummary> {
    const record = this.runRecord(runId);
    if (this.active.has(runId)) throw new ReportError('InvalidArgument', `The report "${record.name}" is already running.`);
    if (record.state.status === 'completed') throw new ReportError('InvalidArgument', `The report "${record.name}" is complete; there is nothing to resume.`);
    const release = this.reserveSlot();
    try {
      const source = this.sources.open(record.header.source, true);
      const report = await source.prepare(record.header.definition);
      const same = JSON.stringify(report.columns.map((c) => [c.name, c.type])) === JSON.stringify(record.header.columns.map((c) => [c.name, c.type]));
      if (!same) {
        throw new ReportError('NotResumable', `The columns of "${record.name}" changed in the source since it was cached, so it cannot continue where it stopped. Run it again.`);
      }
      const writer = RunFileWriter.open(record.file);
      // Without a unique key there is no exact place to continue from: start over.
      if (!report.resumable) writer.clearRows();
      // Library first: a crash between the two writes then leaves a run that start-up recovery finds.
      this.library.putRun({ ...record, state: { ...writer.readState(), status: 'queued' } });
      writer.updateState({ status: 'queued' });
      return this.launch(runId, writer, source, report, release);
    } catch (err) {
      release();
      throw err;
    }
  }

  async cancelRun({ runId }: { runId: string }): Promise<RunSummary> {
    const record = this.runRecord(runId);
    const run = this.active.get(runId);
    if (!run) throw new ReportError('InvalidArgument', `The report "${record.name}" is not running (it is ${record.state.status}).`);
    await run.stop('cancel');
    return this.summary(this.runRecord(runId));
  }

  /** Waits until a run reaches its final status. */
  async waitForRun(runId: string): Promise<RunSummary> {
    await this.active.get(runId)?.finished;
    return this.summary(this.runRecord(runId));
  }

  async deleteRun({ runId }: { runId: string }): Promise<void> {
    const record = this.runRecord(runId);
    await this.active.get(runId)?.stop('cancel');
    await this.exports.cancelForRun(runId);
    this.closeReader(runId);
    this.library.deleteRun(runId);
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${record.file}${suffix}`, { force: true });
  }

  async renameRun({ runId, name }: { runId: string; name: string }): Promise<RunSummary> {
    this.runRecord(runId);
    const trimmed = name.trim();
    if (!trimmed) throw new ReportError('InvalidArgument', 'A report needs a name.');
    this.library.renameRun(runId, trimmed.slice(0, 200));
    return this.summary(this.runRecord(runId));
  }

  async listRuns(): Promise<RunSummary[]> {
    return this.library.listRuns().map((record) => this.summary(record));
  }

  async getRun({ runId }: { runId: string }): Promise<RunSummary> {
    return this.summary(this.runRecord(runId));
  }

  private reader(runId: string): RowsReader {
    let reader = this.readers.get(runId);
    if (!reader) {
      reader = new RowsReader(new RunFileReader(this.runRecord(runId).file));
      this.readers.set(runId, reader);
    }
    return reader;
  }

  private closeReader(runId: string): void {
    this.readers.get(runId)?.file.close();
    this.readers.delete(runId);
  }

  async getRows(request: RowsRequest): Promise<RowsPage> {
    const status = this.active.get(request.runId)?.currentStatus ?? this.runRecord(request.runId).state.status;
    try {
      const reader = this.reader(request.runId);
      const page = reader.page(request, !ACTIVE.has(status));
      // Most recently used last: the views of reports looked at longest ago go first.
      this.readers.delete(request.runId);
      this.readers.set(request.runId, reader);
      trimViews([...this.readers.values()], this.options.viewBudgetBytes ?? VIEW_BUDGET_BYTES);
      return page;
    } catch (err) {
      const damaged = asCacheError(err, this.runRecord(request.runId).file);
      // A damaged file is opened afresh next time: it may have been replaced.
      if (damaged !== err) this.closeReader(request.runId);
      throw damaged;
    }
  }

  async importRunFile({ path }: { path: string }): Promise<RunSummary> {
    const { header, state } = inspectRunFile(path);
    const existing = this.library.getRun(header.runId);
    if (existing) return this.summary(existing);
    const file = join(this.runsDir, runFileName(header.runId));
    if (resolve(path) !== file) copyFileSync(path, file);
    // A copy of a run that was still going is, here, an interrupted run.
    const imported = ACTIVE.has(state.status) ? { ...state, status: 'interrupted' as const } : state;
    if (imported !== state) {
      const writer = RunFileWriter.open(file);
      writer.updateState({ status: 'interrupted' });
      writer.close();
    }
    this.library.putRun({ file, header, name: header.name, state: imported });
    return this.summary(this.runRecord(header.runId));
  }

  async getStats(): Promise<LibraryStats> {
    return stats(this.library.history());
  }

  // ── exports ──

  async startExport(request: ExportRequest): Promise<ExportSummary> {
    return this.exports.start(request);
  }

  async cancelExport({ exportId }: { exportId: string }): Promise<ExportSummary> {
    return this.exports.cancel(exportId);
  }

  async listExports({ runId }: { runId?: string }): Promise<ExportSummary[]> {
    return this.exports.list(runId);
  }

  /** Stops every run (they become interrupted, resumable) and closes every file. */
  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    await Promise.all([...this.active.values()].map((run) => run.stop('interrupt')));
    await this.exports.close();
    for (const runId of [...this.readers.keys()]) this.closeReader(runId);
    await this.sources.close();
    this.library.close();
  }
}

/** The options actually given: an explicit undefined must not hide a setting from the environment. */
function definedOnly(options: ServiceOptions): ServiceOptions {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as unknown as ServiceOptions;
}

function defaultName(definition: ReportDefinition): string {
  return definition.dataset ?? `SQL report ${new Date().toISOString().slice(0, 16).replace('T', ' ')}`;
}

