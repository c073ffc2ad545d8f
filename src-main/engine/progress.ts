// Progress arithmetic, shared by runs and exports: percent never above 100,
// no percent or ETA without a total, rate over the current stretch of work.
import type { RunProgress } from '../../src-preload/contract.ts';

export interface ProgressInput {
  done: number;
  total: number | null;
  totalIsExact: boolean;
  /** Rows done and milliseconds spent in the current stretch (a resumed run starts a new one). */
  stretchDone: number;
  stretchMs: number;
  finished: boolean;
}

export function computeProgress(input: ProgressInput): Omit<RunProgress, 'rowsCached' | 'totalRows' | 'totalIsExact' | 'elapsedMs'> {
  const { done, total, stretchDone, stretchMs, finished } = input;
  const rowsPerSec = stretchMs > 0 ? Math.round((stretchDone / stretchMs) * 1000) : 0;
  if (total === null) return { percent: finished ? 100 : null, rowsPerSec, etaSeconds: finished ? 0 : null };
  if (finished) return { percent: 100, rowsPerSec, etaSeconds: 0 };
  // An estimate can be low: hold below 100 until the run really ends.
  const raw = total === 0 ? 0 : (done / total) * 100;
  const percent = Math.min(input.totalIsExact ? 100 : 99, Math.max(0, Math.floor(raw * 10) / 10));
  const remaining = Math.max(0, total - done);
  const etaSeconds = rowsPerSec > 0 ? Math.ceil(remaining / rowsPerSec) : null;
  return { percent, rowsPerSec, etaSeconds };
}

export const rssMB = (): number => Math.round((process.memoryUsage.rss() / 1024 / 1024) * 10) / 10;
