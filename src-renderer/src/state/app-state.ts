// The window's state and the pure changes events make to it.
import type {
  AppError,
  AppEvent,
  AppInfo,
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
  name: string;
}

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
  interruptedAtLoad: [],
  interruptedDismissed: false,
  notices: [],
  sourceForm: null,
};

export function withRun(state: AppState, run: RunSummary): AppState {
  return { ...state, runs: { ...state.runs, [run.runId]: run } };
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
