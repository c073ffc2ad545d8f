// Soak, load and pages, each inside its own child process: many 10,000-row runs one
// after another (does memory grow?), 50 users at once (do they all finish, how fast?),
// and pages anywhere in a big cached run, sorted and filtered (how long does the grid wait?).
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { AppEvent, Filter, RunStatus, SortKey } from '../../src-preload/contract.ts';
import { RowsReader } from '../../src-main/engine/cache/rows-query.ts';
import { RunFileReader } from '../../src-main/engine/cache/run-file.ts';
import { ReportService } from '../../src-main/engine/service.ts';
import { profileFromUrl } from '../../src-main/engine/sources/registry.ts';
import { callOk, openEventStream, startBrowserHost } from '../support/browser-host.ts';
import { checkComplete, openService, reportOf, timedRun } from './cases.ts';
import { percentile } from './report.ts';

export interface ModeTask {
  mode: 'soak' | 'load-service' | 'load-http' | 'pages';
  /** For pages: the cached run to page through (in cacheDir). */
  runId?: string;
  url: string;
  cacheDir: string;
  rows: number;
  /** Runs in a row (soak) or users at once (load). */
  count: number;
  rendererDir?: string;
  chunkSize?: number;
}

export interface MemoryPoint {
  run: number;
  rssMB: number;
  heapMB: number;
}

export interface SoakResult {
  points: MemoryPoint[];
  medianMs: number;
}

export interface LoadResult {
  users: number;
  completed: number;
  errors: string[];
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
}

const mb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;

/** Memory after a full collection; pending closes get a turn to finish first. */
async function settledMemory(run: number): Promise<MemoryPoint> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('The soak needs node --expose-gc.');
  for (let i = 0; i < 3; i++) {
    await nextTurn();
    gc();
  }
  return { run, rssMB: mb(process.memoryUsage.rss()), heapMB: mb(process.memoryUsage().heapUsed) };
}

export async function soak(task: ModeTask): Promise<SoakResult> {
  const bench = await openService(task.url, { cacheDir: task.cacheDir, ...(task.chunkSize ? { chunkSize: task.chunkSize } : {}) });
  const points: MemoryPoint[] = [];
  const times: number[] = [];
  try {
    for (let run = 1; run <= task.count; run++) {
      times.push((await timedRun(bench, task.rows)).ms);
      if (run === 10 || run === 50 || run === task.count) points.push(await settledMemory(run));
    }
  } finally {
    await bench.service.close();
  }
  return { points, medianMs: percentile(times, 50) ?? 0 };
}

function summarizeLoad(users: number, outcomes: ({ ms: number } | { error: string })[]): LoadResult {
  const times = outcomes.flatMap((o) => ('ms' in o ? [o.ms] : []));
  const errors = outcomes.flatMap((o) => ('error' in o ? [o.error] : []));
  return { users, completed: times.length, errors: [...new Set(errors)], p50Ms: percentile(times, 50), p99Ms: percentile(times, 99), maxMs: percentile(times, 100) };
}

const describe = (err: unknown): string => {
  const error = err as { kind?: string; message?: string };
  return `${error.kind ?? 'Error'}: ${error.message ?? String(err)}`;
};

/** All users ask at the same moment, straight through ReportService, with the run limit raised to the user count. */
export async function loadService(task: ModeTask): Promise<LoadResult> {
  const options = { cacheDir: task.cacheDir, maxConcurrentRuns: task.count, ...(task.chunkSize ? { chunkSize: task.chunkSize } : {}) };
  const { service, profile } = await openService(task.url, options);
  try {
    const started = performance.now();
    const outcomes = await Promise.all(
      Array.from({ length: task.count }, async () => {
        try {
          const run = await service.startRun(reportOf(profile, task.rows));
          checkComplete(await service.waitForRun(run.runId), task.rows);
          return { ms: performance.now() - started };
        } catch (err) {
          return { error: describe(err) };
        }
      }),
    );
    return summarizeLoad(task.count, outcomes);
  } finally {
    await service.close();
  }
}

const FINAL: ReadonlySet<RunStatus> = new Set(['completed', 'cancelled', 'failed', 'interrupted']);

/** The same through the browser host: each user has its page's event stream open, starts over HTTP and waits for the final status. */
export async function loadHttp(task: ModeTask): Promise<LoadResult> {
  const host = await startBrowserHost({
    cacheDir: task.cacheDir,
    maxConcurrentRuns: task.count,
    ...(task.rendererDir ? { rendererDir: task.rendererDir } : {}),
    ...(task.chunkSize ? { chunkSize: task.chunkSize } : {}),
  });
  try {
    const profile = await callOk(host, 'saveSource', profileFromUrl(task.url));
    const streams = await Promise.all(Array.from({ length: task.count }, (_, i) => openEventStream(host, `bench-user-${i}`)));
    const started = performance.now();
    const outcomes = await Promise.all(
      streams.map(async (stream) => {
        try {
          const run = await callOk(host, 'startRun', reportOf(profile, task.rows));
          const isFinal = (event: AppEvent): event is Extract<AppEvent, { kind: 'run-status' }> =>
            event.kind === 'run-status' && event.runId === run.runId && FINAL.has(event.status);
          const final = await stream.waitFor(isFinal, 300_000);
          checkComplete(final.run, task.rows);
          return { ms: performance.now() - started };
        } catch (err) {
          return { error: describe(err) };
        } finally {
          stream.close();
        }
      }),
    );
    return summarizeLoad(task.count, outcomes);
  } finally {
    await host.stop();
  }
}

export interface PagesRow {
  order: string;
  /** The first page in this order, which builds the ordered view. */
  firstPageMs: number;
  /** Pages at 0 %, 25 %, 50 %, 75 % and the last, once the view is built. */
  pageMedianMs: number;
  pageMaxMs: number;
  /** The same pages as SQL over the whole table (ORDER BY … LIMIT … OFFSET), the way a running run is read. */
  straightMaxMs: number;
}

export interface PagesResult {
  rows: number;
  orders: PagesRow[];
}

const PAGE_ORDERS: { order: string; sort?: SortKey[]; filter?: Filter[] }[] = [
  { order: 'cache order' },
  { order: 'sorted by amount, descending', sort: [{ column: 'amount', direction: 'desc' }] },
  { order: 'sorted by customer_name, then ordered_at', sort: [{ column: 'customer_name', direction: 'asc' }, { column: 'ordered_at', direction: 'desc' }] },
  { order: "filtered status = 'paid', sorted by amount", sort: [{ column: 'amount', direction: 'asc' }], filter: [{ column: 'status', op: '=', value: 'paid' }] },
];

const PAGE_ROWS = 100;

function timed(work: () => unknown): number {
  const started = performance.now();
  work();
  return performance.now() - started;
}

/** A grid's wait for a 100-row page anywhere in a settled run, in each order, against paging the table straight. */
export async function pages(task: ModeTask): Promise<PagesResult> {
  if (!task.runId) throw new Error('The pages mode needs a cached run.');
  const runId = task.runId;
  const service = await ReportService.open({ cacheDir: task.cacheDir });
  try {
    const run = await service.getRun({ runId });
    const total = run.progress.rowsCached;
    const straight = new RowsReader(new RunFileReader(run.file));
    const orders: PagesRow[] = [];
    try {
      for (const { order, sort, filter } of PAGE_ORDERS) {
        const ask = { runId, ...(sort ? { sort } : {}), ...(filter ? { filter } : {}) };
        const begun = performance.now();
        const count = (await service.getRows({ ...ask, start: 0, end: PAGE_ROWS })).rowCount;
        const firstPageMs = performance.now() - begun;
        const starts = [0, 0.25, 0.5, 0.75].map((at) => Math.floor(count * at)).concat(Math.max(0, count - PAGE_ROWS));
        const times: number[] = [];
        for (const start of starts) {
          const pageBegun = performance.now();
          await service.getRows({ ...ask, start, end: start + PAGE_ROWS });
          times.push(performance.now() - pageBegun);
        }
        const straightTimes = starts.map((start) => timed(() => straight.page({ start, end: start + PAGE_ROWS, ...(sort ? { sort } : {}), ...(filter ? { filter } : {}) }, false)));
        orders.push({ order, firstPageMs, pageMedianMs: percentile(times, 50) ?? 0, pageMaxMs: Math.max(...times), straightMaxMs: Math.max(...straightTimes) });
      }
    } finally {
      straight.file.close();
    }
    return { rows: total, orders };
  } finally {
    await service.close();
  }
}
