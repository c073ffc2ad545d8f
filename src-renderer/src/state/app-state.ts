// The window's state and the pure changes events make to it.
import type {
  AppError,
  AppEvent,
  AppInfo,
  ColumnInfo,
  Dataset,
  ExportSummary,
  FilterOperator,
  RunSummary,
  SourceInfo,
} from '../../../src-preload/contract.ts';

export type TabKey = 'builder' | 'activity' | `run:${string}`;

export const runTab = (runId: string): TabKey => `run:${runId}`;
export const runIdOfTab = (tab: TabKey): string | null => (tab.startsWith('run:') ? tab.slice(4) : null);

export interface DraftFilter {
  id: number;
  column: string;
  op: FilterOperator;
  value: string;
}

export interface DraftSort {
  id: number;
  column: string;
  direction: 'asc' | 'desc';
}

export interface BuilderDraft {
  mode: 'dataset' | 'sql';
  dataset: string;
  sql: string;
  columns: string[];
  filters: DraftFilter[];
  sort: DraftSort[];
  /** Columns to resume by (SQL mode); none means the report can only restart. */
  key: string[];
  name: string;
}

/**
 * The builder's check of its SQL statement: the statement and source last sent to
 * describeSql, and `columns`, those of the last statement described successfully (what the pickers offer).
 */
export type SqlDescription =
  | { status: 'describing'; sql: string; source: string; columns: ColumnInfo[] | null }
  | { status: 'described'; sql: string; source: string; columns: ColumnInfo[]; dropped: string[] }
  | { status: 'failed'; sql: string; source: string; columns: ColumnInfo[] | null; error: AppError };

export type DatasetList =
  | { status: 'loading' }
  | { status: 'ready'; datasets: Dataset[] }
  | { status: 'failed'; error: AppError };

export interface Notice {
  id: number;
  text: string;
  error?: AppError;
  /** The profile the failed action used, so the notice can offer to edit it. */
  profileId?: string;
}

export interface AppState {
  info: AppInfo | null;
  startupError: AppError | null;
  sources: SourceInfo[];
  /** `sourceKey` of the source the sidebar and the builder work on. */
  selectedSource: string;
  datasets: Record<string, DatasetList>;
  runs: Record<string, RunSummary>;
  exports: Record<string, ExportSummary>;
  tabs: TabKey[];
  activeTab: TabKey;
  builder: BuilderDraft;
  sqlDescription: SqlDescription | null;
  /** Runs interrupted when this window opened: the host's `interruptedAtStart`, and any left interrupted by a clean stop. */
  interruptedAtLoad: string[];
  interruptedDismissed: boolean;
  notices: Notice[];
  /** The source form: 'new', a profile id to edit, or closed. */
  sourceForm: string | null;
}

export const emptyDraft: BuilderDraft = {
  mode: 'dataset',
  dataset: '',
  sql: '',
  columns: [],
  filters: [],
  sort: [],
  key: [],
  name: '',
};

export const initialState: AppState = {
  info: null,
  startupError: null,
  sources: [],
  selectedSource: 'demo',
  datasets: {},
  runs: {},
  exports: {},
  tabs: ['builder'],
  activeTab: 'builder',
  builder: emptyDraft,
  sqlDescription: null,
  interruptedAtLoad: [],
  interruptedDismissed: false,
  notices: [],
  sourceForm: null,
};

export function withRun(state: AppState, run: RunSummary): AppState {
  return { ...state, runs: { ...state.runs, [run.runId]: run } };
}

/** Records the columns a SQL statement returns and drops the builder's picks of columns it no longer returns. */
export function withSqlColumns(state: AppState, sql: string, source: string, columns: ColumnInfo[]): AppState {
  const draft = state.builder;
  // Dataset-mode picks belong to the dataset, not to this statement.
  if (draft.mode !== 'sql') return { ...state, sqlDescription: { status: 'described', sql, source, columns, dropped: [] } };
  const names = new Set(columns.map((c) => c.name));
  const exists = (column: string) => names.has(column);
  const picked = [...draft.columns, ...draft.key, ...draft.filters.map((f) => f.column), ...draft.sort.map((s) => s.column)];
  const dropped = [...new Set(picked.filter((column) => column !== '' && !exists(column)))];
  const builder: BuilderDraft = {
    ...draft,
    columns: draft.columns.filter(exists),
    key: draft.key.filter(exists),
    filters: draft.filters.filter((f) => exists(f.column)),
    sort: draft.sort.filter((s) => exists(s.column)),
  };
  return { ...state, builder, sqlDescription: { status: 'described', sql, source, columns, dropped } };
}

export function openTab(state: AppState, tab: TabKey): AppState {
  const tabs = state.tabs.includes(tab) ? state.tabs : [...state.tabs, tab];
  return { ...state, tabs, activeTab: tab };
}

export function closeTab(state: AppState, tab: TabKey): AppState {
  if (tab === 'builder') return state;
  const index = state.tabs.indexOf(tab);
  if (index < 0) return state;
  const tabs = state.tabs.filter((t) => t !== tab);
  const activeTab = state.activeTab === tab ? (tabs[Math.max(0, index - 1)] ?? 'builder') : state.activeTab;
  return { ...state, tabs, activeTab };
}

/** Folds one host event into the state. */
export function applyEvent(state: AppState, event: AppEvent): AppState {
  switch (event.kind) {
    case 'run-progress': {
      const run = state.runs[event.runId];
      if (!run) return state;
      return withRun(state, { ...run, progress: event.progress });
    }
    case 'run-status':
      return withRun(state, event.run);
    case 'export-progress': {
      const current = state.exports[event.exportId];
      if (!current) return state;
      return { ...state, exports: { ...state.exports, [event.exportId]: { ...current, progress: event.progress } } };
    }
    case 'export-status':
      return { ...state, exports: { ...state.exports, [event.exportId]: event.export } };
    default: {
      // A newer host may send kinds this window does not know; they change nothing here.
      const _unknown: never = event;
      return state;
    }
  }
}
