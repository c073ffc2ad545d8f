// THE contract between the UI and the engine. Every host (Electron IPC, the
// browser host, the CLI) speaks it; this is the only place a method name, a
// payload shape, an event or an error kind is written. Types and constants only.

// ── Errors ──────────────────────────────────────────────────────────────────

export const ERROR_KINDS = [
  'NotFound',
  'PermissionDenied',
  'AuthFailed',
  'Unreachable',
  'ConnectionLost',
  'Timeout',
  'TooManyRuns',
  'Cancelled',
  'InvalidQuery',
  'WriteNotAllowed',
  'NotResumable',
  'InvalidArgument',
  'CacheCorrupt',
  'ExportFailed',
  'Unsupported',
  'Internal',
] as const;

export type ErrorKind = (typeof ERROR_KINDS)[number];

/** An error as it crosses a boundary: a kind to branch on, a message a person can act on. */
export interface AppError {
  kind: ErrorKind;
  message: string;
}

/** What every call returns across a boundary; thrown errors lose their shape. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: AppError };

// ── Sources ─────────────────────────────────────────────────────────────────

/** Where a report reads from. `demo` is the built-in generated orders database. */
export type SourceRef =
  | { type: 'demo' }
  | { type: 'sqlite'; path: string }
  | { type: 'postgres'; profileId: string };

export const SSL_MODES = ['disable', 'prefer', 'require', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

/** A saved PostgreSQL connection. The password never leaves the host's secret store. */
export interface PostgresProfile {
  id: string;
  name: string;
  host: string;
  port: number;
  database: string;
  user: string;
  sslMode: SslMode;
  /** Optional read replica that reports run on; the primary is used for the catalog when it is absent. */
  replica?: { host: string; port: number };
  hasPassword: boolean;
}

export interface ProfileInput {
  /** Absent for a new profile. */
  id?: string;
  name: string;
  host: string;
  port: number;
  database: string;
  user: string;
  sslMode: SslMode;
  replica?: { host: string; port: number };
  /** undefined keeps the saved password, '' removes it. */
  password?: string;
}

export interface SourceInfo {
  ref: SourceRef;
  label: string;
  /** The profile, for PostgreSQL sources. */
  profile?: PostgresProfile;
}

export type SourceTestInput = { ref: SourceRef } | { profile: ProfileInput };

export interface ConnectionTestResult {
  serverVersion: string;
  user: string;
  database: string;
  ms: number;
}

// ── Datasets ────────────────────────────────────────────────────────────────

/** How a column's values behave for display, sort, filter and export. */
export type ValueKind = 'integer' | 'number' | 'boolean' | 'date' | 'timestamp' | 'text' | 'json' | 'other';

export interface ColumnInfo {
  name: string;
  /** The database's own type name, e.g. `numeric(30,10)`, `timestamp with time zone`. */
  type: string;
  kind: ValueKind;
  nullable: boolean;
}

export interface Dataset {
  /** Qualified name as the user types it: `schema.table`, or `table` in the default schema. */
  name: string;
  schema: string;
  table: string;
  type: 'table' | 'view';
  /** Planner estimate; null when unknown (never analysed, or a view). */
  estimatedRows: number | null;
  columns: ColumnInfo[];
  primaryKey: string[];
}

// ── Reports and runs ────────────────────────────────────────────────────────

export const FILTER_OPERATORS = [
  '=',
  '!=',
  '<',
  '<=',
  '>',
  '>=',
  'contains',
  'notContains',
  'startsWith',
  'endsWith',
  'isNull',
  'notNull',
] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

/** One condition; `value` is always sent as a parameter, never pasted into SQL. */
export interface Filter {
  column: string;
  op: FilterOperator;
  value?: string | number | boolean | null;
}

export interface SortKey {
  column: string;
  direction: 'asc' | 'desc';
}

/** What to run: a dataset, or one read-only SQL statement. */
export interface ReportDefinition {
  name?: string;
  source: SourceRef;
  dataset?: string;
  sql?: string;
  /** Columns to keep, in order; all when absent. */
  columns?: string[];
  filters?: Filter[];
  sort?: SortKey[];
  /** Unique columns to resume by; the primary key when absent. */
  key?: string[];
  /** Rows per chunk; 1,000 by default. */
  chunkSize?: number;
}

export const RUN_STATUSES = ['queued', 'running', 'completed', 'cancelled', 'failed', 'interrupted'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export interface RunProgress {
  rowsCached: number;
  /** Estimate until `totalIsExact`; null when unknown. */
  totalRows: number | null;
  totalIsExact: boolean;
  /** 0..100, null when the total is unknown. */
  percent: number | null;
  rowsPerSec: number;
  etaSeconds: number | null;
  elapsedMs: number;
  /** Set while the run waits to reconnect after a lost connection. */
  reconnect?: { attempt: number; of: number };
}

export interface RunSummary {
  runId: string;
  name: string;
  source: SourceRef;
  sourceLabel: string;
  definition: ReportDefinition;
  status: RunStatus;
  /** Whether the report has a unique ordering key, so that it can resume exactly. */
  resumable: boolean;
  resumeKey: string[];
  columns: ColumnInfo[];
  progress: RunProgress;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  durationMs: number | null;
  firstChunkMs: number | null;
  peakRssMB: number | null;
  error: AppError | null;
  /** Path of the run's own SQLite file. */
  file: string;
}

export interface RowsRequest {
  runId: string;
  /** Zero-based, end exclusive; at most 10,000 rows per page. */
  start: number;
  end: number;
  sort?: SortKey[];
  filter?: Filter[];
}

/** A cell as cached: PostgreSQL's own text, or null. */
export type CellValue = string | null;

export interface RowsPage {
  rows: CellValue[][];
  /** Rows matching the filter now; grows while the run goes on. */
  rowCount: number;
  /** True when the run has finished and `rowCount` is final. */
  final: boolean;
}

export interface LibraryStats {
  runs: number;
  completed: number;
  successRate: number | null;
  averageDurationMs: number | null;
  failuresByKind: Partial<Record<ErrorKind, number>>;
  recentFailures: { runId: string; name: string; kind: ErrorKind; message: string; at: string }[];
}

// ── Exports ─────────────────────────────────────────────────────────────────

export type ExportFormat = 'csv' | 'xlsx';
export const EXPORT_STATUSES = ['running', 'completed', 'cancelled', 'failed'] as const;
export type ExportStatus = (typeof EXPORT_STATUSES)[number];

export interface ExportRequest {
  runId: string;
  path: string;
  format?: ExportFormat;
  /** UTF-8 byte order mark, for Excel (CSV only). */
  bom?: boolean;
  /** On by default: text that a spreadsheet would read as a formula is written as text. */
  formulaGuard?: boolean;
}

export interface ExportProgress {
  rowsWritten: number;
  rowsExpected: number;
  percent: number;
  rowsPerSec: number;
  etaSeconds: number | null;
}

export interface ExportSummary {
  exportId: string;
  runId: string;
  path: string;
  format: ExportFormat;
  status: ExportStatus;
  rowsExpected: number;
  rowsWritten: number;
  sheets: number;
  /** Plain sentences: partial run, cut cells, sheet splits. */
  warnings: string[];
  /** True when the run was not completed, so the file holds part of the report. */
  partial: boolean;
  progress: ExportProgress;
  startedAt: string;
  endedAt: string | null;
  ms: number | null;
  peakRssMB: number | null;
  error: AppError | null;
}

// ── App ─────────────────────────────────────────────────────────────────────

export interface AppInfo {
  name: string;
  version: string;
  host: 'electron' | 'browser';
  cacheDir: string;
  maxConcurrentRuns: number;
  /** Whether saved passwords can be encrypted on this machine, and why not. */
  passwordStorage: { available: boolean; reason?: string };
  /** Runs found interrupted when the app started (the process had died). */
  interruptedAtStart: string[];
}

// ── Methods ─────────────────────────────────────────────────────────────────

/**
 * Every operation, with its one argument and its value. The engine's
 * `ReportService` implements these; hosts forward them and wrap the value in `Result`.
 */
export interface Methods {
  getAppInfo(arg: void): AppInfo;
  listSources(arg: void): SourceInfo[];
  saveSource(arg: ProfileInput): PostgresProfile;
  testSource(arg: SourceTestInput): ConnectionTestResult;
  removeSource(arg: { profileId: string }): void;
  listDatasets(arg: { source: SourceRef }): Dataset[];
  /** The columns one read-only SQL statement returns, found without running it (for the builder's pickers). */
  describeSql(arg: { source: SourceRef; sql: string }): ColumnInfo[];
  startRun(arg: ReportDefinition): RunSummary;
  cancelRun(arg: { runId: string }): RunSummary;
  resumeRun(arg: { runId: string }): RunSummary;
  deleteRun(arg: { runId: string }): void;
  renameRun(arg: { runId: string; name: string }): RunSummary;
  listRuns(arg: void): RunSummary[];
  getRun(arg: { runId: string }): RunSummary;
  getRows(arg: RowsRequest): RowsPage;
  importRunFile(arg: { path: string }): RunSummary;
  getStats(arg: void): LibraryStats;
  startExport(arg: ExportRequest): ExportSummary;
  cancelExport(arg: { exportId: string }): ExportSummary;
  listExports(arg: { runId?: string }): ExportSummary[];
  /** Host-only: a save dialog in Electron; a path in the exports folder in the browser host. Null when the user cancels. */
  chooseExportPath(arg: { suggestedName: string; format: ExportFormat }): string | null;
  /** Host-only: an open dialog for a report file a colleague sent. Null when the user cancels. */
  chooseReportFile(arg: void): string | null;
  /** Host-only: reveal a file in the system file manager. */
  showInFolder(arg: { path: string }): void;
}

export type MethodName = keyof Methods;
export type MethodArg<M extends MethodName> = Parameters<Methods[M]>[0];
export type MethodValue<M extends MethodName> = ReturnType<Methods[M]>;

export const METHOD_NAMES = [
  'getAppInfo',
  'listSources',
  'saveSource',
  'testSource',
  'removeSource',
  'listDatasets',
  'describeSql',
  'startRun',
  'cancelRun',
  'resumeRun',
  'deleteRun',
  'renameRun',
  'listRuns',
  'getRun',
  'getRows',
  'importRunFile',
  'getStats',
  'startExport',
  'cancelExport',
  'listExports',
  'chooseExportPath',
  'chooseReportFile',
  'showInFolder',
] as const satisfies readonly MethodName[];

/** Operations only a host can do (dialogs, the file manager); the engine does not implement them. */
export const HOST_METHODS = ['chooseExportPath', 'chooseReportFile', 'showInFolder'] as const satisfies readonly MethodName[];
export type HostMethodName = (typeof HOST_METHODS)[number];
export type EngineMethodName = Exclude<MethodName, HostMethodName>;

/** The IPC channel of a method; the one place channel names are made. */
export const channelOf = (method: MethodName): string => `reportstream:${method}`;
export const EVENT_CHANNEL = 'reportstream:event';

// ── Events ──────────────────────────────────────────────────────────────────

export type AppEvent =
  | { kind: 'run-progress'; runId: string; progress: RunProgress }
  | { kind: 'run-status'; runId: string; status: RunStatus; run: RunSummary }
  | { kind: 'export-progress'; exportId: string; runId: string; progress: ExportProgress }
  | { kind: 'export-status'; exportId: string; runId: string; status: ExportStatus; export: ExportSummary };

/** What the renderer sees as `window.reportStream`: named operations and one event stream. */
export type ReportStreamApi = {
  [M in MethodName]: (arg: MethodArg<M>) => Promise<Result<MethodValue<M>>>;
} & {
  /** Subscribes to every event; returns the unsubscribe function. */
  onEvent(listener: (event: AppEvent) => void): () => void;
};

/** HTTP status of each error kind in the browser host. */
export const HTTP_STATUS_OF: Record<ErrorKind, number> = {
  NotFound: 404,
  PermissionDenied: 403,
  AuthFailed: 502,
  Unreachable: 503,
  ConnectionLost: 503,
  Timeout: 504,
  TooManyRuns: 429,
  Cancelled: 409,
  InvalidQuery: 400,
  WriteNotAllowed: 400,
  NotResumable: 409,
  InvalidArgument: 400,
  CacheCorrupt: 422,
  ExportFailed: 500,
  Unsupported: 501,
  Internal: 500,
};
