// Everything the window does to the host goes through here: call the contract,
// fold the answer into the state, hand the Result back for the caller to show.
import type {
  AppError,
  ExportRequest,
  ExportSummary,
  PostgresProfile,
  ProfileInput,
  ReportDefinition,
  Result,
  RunSummary,
  SourceRef,
} from '../../../src-preload/contract.ts';
import { api } from '../api.ts';
import { isActive, sourceKey } from '../format.ts';
import {
  applyEvent,
  closeTab,
  openTab,
  runTab,
  withRun,
  withSqlColumns,
  type BuilderDraft,
  type TabKey,
} from './app-state.ts';
import { getState, update } from './store.ts';

let noticeId = 0;
const RESYNC_MS = 4000;

export function pushNotice(text: string, error?: AppError, profileId?: string): void {
  const id = ++noticeId;
  update((s) => ({ ...s, notices: [...s.notices.slice(-3), { id, text, ...(error ? { error } : {}), ...(profileId ? { profileId } : {}) }] }));
}

export function dismissNotice(id: number): void {
  update((s) => ({ ...s, notices: s.notices.filter((n) => n.id !== id) }));
}

/** Loads what the window shows first and starts listening to the host. */
export async function startApp(): Promise<void> {
  api.onEvent((event) => update((s) => applyEvent(s, event), false));
  const info = await api.getAppInfo();
  if (!info.ok) {
    update((s) => ({ ...s, startupError: info.error }));
    return;
  }
  update((s) => ({ ...s, info: info.value, startupError: null }));
  await Promise.all([refreshSources(), refreshRuns()]);
  update((s) => {
    const stillInterrupted = Object.values(s.runs).filter((run) => run.status === 'interrupted').map((run) => run.runId);
    return { ...s, interruptedAtLoad: [...new Set([...info.value.interruptedAtStart, ...stillInterrupted])] };
  });
  void loadDatasets(getState().selectedSource);
  // Events can be missed while the event stream reconnects: re-read active runs now and then.
  setInterval(() => void resyncActiveRuns(), RESYNC_MS);
}

async function resyncActiveRuns(): Promise<void> {
  const active = Object.values(getState().runs).filter((run) => isActive(run.status));
  for (const run of active) {
    const fresh = await api.getRun({ runId: run.runId });
    if (fresh.ok) update((s) => withRun(s, fresh.value), false);
  }
}

export async function refreshSources(): Promise<void> {
  const sources = await api.listSources();
  if (!sources.ok) {
    pushNotice('Could not list the sources.', sources.error);
    return;
  }
  update((s) => {
    const keys = sources.value.map((source) => sourceKey(source.ref));
    const selectedSource = keys.includes(s.selectedSource) ? s.selectedSource : (keys[0] ?? 'demo');
    return { ...s, sources: sources.value, selectedSource };
  });
}

export function sourceRefOf(key: string): SourceRef | null {
  return getState().sources.find((source) => sourceKey(source.ref) === key)?.ref ?? null;
}

export function selectSource(key: string): void {
  update((s) => ({ ...s, selectedSource: key }));
  if (!getState().datasets[key]) void loadDatasets(key);
}

export async function loadDatasets(key: string): Promise<void> {
  const source = sourceRefOf(key);
  if (!source) return;
  update((s) => ({ ...s, datasets: { ...s.datasets, [key]: { status: 'loading' } } }));
  const datasets = await api.listDatasets({ source });
  update((s) => ({
    ...s,
    datasets: {
      ...s.datasets,
      [key]: datasets.ok ? { status: 'ready', datasets: datasets.value } : { status: 'failed', error: datasets.error },
    },
  }));
}

export async function saveSource(input: ProfileInput): Promise<Result<PostgresProfile>> {
  const saved = await api.saveSource(input);
  if (saved.ok) {
    await refreshSources();
    const key = sourceKey({ type: 'postgres', profileId: saved.value.id });
    update((s) => ({ ...s, selectedSource: key }));
    void loadDatasets(key);
  }
  return saved;
}

export async function removeSource(profileId: string): Promise<Result<void>> {
  const removed = await api.removeSource({ profileId });
  if (removed.ok) await refreshSources();
  return removed;
}

export async function refreshRuns(): Promise<void> {
  const runs = await api.listRuns();
  if (!runs.ok) {
    pushNotice('Could not read the report library.', runs.error);
    return;
  }
  update((s) => ({ ...s, runs: Object.fromEntries(runs.value.map((run) => [run.runId, run])) }));
}

export function activateTab(tab: TabKey): void {
  update((s) => openTab(s, tab));
}

export function closeTabOf(tab: TabKey): void {
  update((s) => closeTab(s, tab));
}

export function openRun(runId: string): void {
  update((s) => openTab(s, runTab(runId)));
}

function opened(result: Result<RunSummary>): Result<RunSummary> {
  if (!result.ok) return result;
  const run = result.value;
  update((s) => {
    // Events can overtake the call's answer; keep whichever copy has seen more rows.
    const known = s.runs[run.runId];
    const newer = known && known.progress.rowsCached > run.progress.rowsCached ? known : run;
    return openTab(withRun(s, newer), runTab(run.runId));
  });
  return result;
}

export async function startRun(definition: ReportDefinition): Promise<Result<RunSummary>> {
  return opened(await api.startRun(definition));
}

export async function resumeRun(runId: string): Promise<Result<RunSummary>> {
  const resumed = opened(await api.resumeRun({ runId }));
  if (!resumed.ok) {
    const source = getState().runs[runId]?.source;
    pushNotice('Could not resume the report.', resumed.error, source?.type === 'postgres' ? source.profileId : undefined);
  }
  return resumed;
}

export async function cancelRun(runId: string): Promise<Result<RunSummary>> {
  const cancelled = await api.cancelRun({ runId });
  if (cancelled.ok) update((s) => withRun(s, cancelled.value));
  else pushNotice('Could not cancel the report.', cancelled.error);
  return cancelled;
}

export async function renameRun(runId: string, name: string): Promise<Result<RunSummary>> {
  const renamed = await api.renameRun({ runId, name });
  if (renamed.ok) update((s) => withRun(s, renamed.value));
  else pushNotice('Could not rename the report.', renamed.error);
  return renamed;
}

export async function deleteRun(runId: string): Promise<Result<void>> {
  const deleted = await api.deleteRun({ runId });
  if (!deleted.ok) {
    pushNotice('Could not delete the report.', deleted.error);
    return deleted;
  }
  update((s) => {
    const runs = { ...s.runs };
    delete runs[runId];
    return closeTab({ ...s, runs }, runTab(runId));
  });
  return deleted;
}

/** Asks the host for a report file a colleague sent and adds it to the library. */
export async function importReportFile(): Promise<void> {
  const chosen = await api.chooseReportFile();
  if (!chosen.ok) {
    pushNotice('Could not open the file dialog.', chosen.error);
    return;
  }
  if (chosen.value === null) {
    // In a browser nothing can be picked from this computer: say so rather than do nothing.
    if (getState().info?.host === 'browser') pushNotice('A browser cannot open files from this computer. Open report files in the desktop app.');
    return;
  }
  const imported = opened(await api.importRunFile({ path: chosen.value }));
  if (!imported.ok) pushNotice('Could not open that report file.', imported.error);
}

export async function startExport(request: ExportRequest): Promise<Result<ExportSummary>> {
  const started = await api.startExport(request);
  if (started.ok) update((s) => ({ ...s, exports: { ...s.exports, [started.value.exportId]: started.value } }));
  return started;
}

export async function cancelExport(exportId: string): Promise<void> {
  const cancelled = await api.cancelExport({ exportId });
  if (cancelled.ok) update((s) => ({ ...s, exports: { ...s.exports, [exportId]: cancelled.value } }));
  else pushNotice('Could not cancel the export.', cancelled.error);
}

export function editBuilder(change: Partial<BuilderDraft>): void {
  update((s) => ({ ...s, builder: { ...s.builder, ...change } }));
}

/** Switches the builder between dataset and SQL; picks of one mode's columns mean nothing in the other. */
export function setBuilderMode(mode: BuilderDraft['mode']): void {
  editBuilder({ mode, columns: [], filters: [], sort: [], key: [] });
}

/** Asks the host which columns the builder's SQL statement returns, for the column, filter, sort and key pickers. */
export async function describeBuilderSql(): Promise<void> {
  const { builder, selectedSource, sqlDescription } = getState();
  const source = sourceRefOf(selectedSource);
  const sql = builder.sql;
  if (!source || sql.trim() === '') return;
  update((s) => ({ ...s, sqlDescription: { status: 'describing', sql, source: selectedSource, columns: sqlDescription?.columns ?? null } }));
  const described = await api.describeSql({ source, sql });
  update((s) => {
    const asked = s.sqlDescription;
    // Only the latest check counts: an older answer must not replace a newer statement's columns.
    if (asked?.status !== 'describing' || asked.sql !== sql || asked.source !== selectedSource) return s;
    if (described.ok) return withSqlColumns(s, sql, selectedSource, described.value);
    return { ...s, sqlDescription: { ...asked, status: 'failed', error: described.error } };
  });
}

export function dismissInterrupted(): void {
  update((s) => ({ ...s, interruptedDismissed: true }));
}

/** Opens the source form for a new profile ('new') or an existing one. */
export function openSourceForm(profileId: string): void {
  update((s) => ({ ...s, sourceForm: profileId }));
}

export function closeSourceForm(): void {
  update((s) => ({ ...s, sourceForm: null }));
}

/** Re-reads one run, e.g. when its columns were not known yet when it was opened. */
export async function refreshRun(runId: string): Promise<void> {
  const fresh = await api.getRun({ runId });
  if (fresh.ok) update((s) => withRun(s, fresh.value));
}
