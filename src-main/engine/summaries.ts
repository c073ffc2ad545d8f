// Turns library records into the contract's shapes: run summaries (with live
// progress for active runs), and the history statistics.
import type { ErrorKind, LibraryStats, ReportDefinition, RunProgress, RunStatus, RunSummary } from '../../src-preload/contract.ts';
import type { Library, RunRecord } from './cache/library.ts';
import { ReportError } from './errors.ts';
import { computeProgress } from './progress.ts';

export const MAX_CHUNK_SIZE = 100_000;

/** Progress of a run that is not active, from what the library recorded. */
function storedProgress(record: RunRecord): RunProgress {
  const { state } = record;
  return {
    rowsCached: state.rowsCached,
    totalRows: state.totalRows,
    totalIsExact: state.totalExact,
    ...computeProgress({
      done: state.rowsCached,
      total: state.totalRows,
      totalIsExact: state.totalExact,
      stretchDone: state.rowsCached,
      stretchMs: state.activeMs,
      finished: state.status === 'completed',
    }),
    etaSeconds: state.status === 'completed' ? 0 : null,
    elapsedMs: state.activeMs,
  };
}

export function summarize(record: RunRecord, live?: RunProgress, liveStatus?: RunStatus): RunSummary {
  const { header, state } = record;
  const status = liveStatus ?? state.status;
  const done = status !== 'queued' && status !== 'running';
  return {
    runId: header.runId,
    name: record.name,
    source: header.source,
    sourceLabel: header.sourceLabel,
    definition: header.definition,
    status,
    resumable: header.resumable,
    resumeKey: header.resumeKey,
    columns: header.columns,
    progress: live ?? storedProgress(record),
    createdAt: header.createdAt,
    startedAt: state.startedAt,
    endedAt: done ? state.endedAt : null,
    durationMs: done ? state.activeMs : null,
    firstChunkMs: state.firstChunkMs,
    peakRssMB: state.peakRssMB,
    error: state.errorKind && status !== 'completed' ? { kind: state.errorKind as ErrorKind, message: state.errorMessage ?? '' } : null,
    file: record.file,
  };
}

/** Refuses a definition that cannot be run, before anything is opened. */
export function validateDefinition(definition: ReportDefinition): void {
  const hasDataset = typeof definition.dataset === 'string' && definition.dataset.trim() !== '';
  const hasSql = typeof definition.sql === 'string' && definition.sql.trim() !== '';
  if (hasDataset === hasSql) throw new ReportError('InvalidArgument', 'A report needs either a dataset or one SQL statement (not both).');
  if (definition.chunkSize !== undefined && !(Number.isInteger(definition.chunkSize) && definition.chunkSize >= 1 && definition.chunkSize <= MAX_CHUNK_SIZE)) {
    throw new ReportError('InvalidArgument', `The chunk size must be a whole number from 1 to ${MAX_CHUNK_SIZE}.`);
  }
}

export function stats(history: ReturnType<Library['history']>): LibraryStats {
  const completed = history.filter((run) => run.status === 'completed');
  // A run interrupted with no error stopped because the app did (closed, killed, the machine restarted): that says
  // nothing about the report, so like a cancel it is neither a success nor a failure. A lost connection is a failure.
  const unsuccessful = history.filter((run) => run.status === 'failed' || (run.status === 'interrupted' && run.error !== null));
  const failuresByKind: LibraryStats['failuresByKind'] = {};
  for (const run of unsuccessful) {
    const kind = run.error?.kind ?? 'Internal';
    failuresByKind[kind] = (failuresByKind[kind] ?? 0) + 1;
  }
  const decided = completed.length + unsuccessful.length;
  return {
    runs: history.length,
    completed: completed.length,
    successRate: decided ? completed.length / decided : null,
    averageDurationMs: completed.length ? Math.round(completed.reduce((sum, run) => sum + run.activeMs, 0) / completed.length) : null,
    failuresByKind,
    recentFailures: unsuccessful.slice(0, 10).map((run) => ({
      runId: run.runId,
      name: run.name,
      kind: run.error?.kind ?? 'Internal',
      message: run.error?.message ?? '',
      at: run.endedAt ?? '',
    })),
  };
}
