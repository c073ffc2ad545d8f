// What one case does inside its own child process: the naive load-then-write,
// a ReportStream run into the cache, and exports from the cache. Each returns
// its timings; the child adds its resident peak.
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import pg from 'pg';
import type { ExportFormat, PostgresProfile, ReportDefinition, RunSummary } from '../../src-preload/contract.ts';
import { csvField } from '../../src-main/engine/export/csv-writer.ts';
import { ReportService, type ServiceOptions } from '../../src-main/engine/service.ts';
import { profileFromUrl } from '../../src-main/engine/sources/registry.ts';
import { datasetName } from './datasets.ts';

export interface Timings {
  ms: number;
  /** From asking for the report to its first rows being usable (cached, or loaded for naive). */
  firstChunkMs: number | null;
  /** The engine's own first-chunk figure (from the cursor's start, without connecting and checking the report). */
  engineFirstChunkMs?: number | null;
  /** The export alone, for the cases that export. */
  exportMs?: number;
  runId?: string;
}

export interface BenchService {
  service: ReportService;
  profile: PostgresProfile;
  /** When the first chunk of each run was cached, by run id (performance.now()). */
  firstChunkAt: Map<string, number>;
}

export async function openService(url: string, options: ServiceOptions): Promise<BenchService> {
  const service = await ReportService.open(options);
  const profile = await service.saveSource(profileFromUrl(url));
  const firstChunkAt = new Map<string, number>();
  service.onEvent((event) => {
    if (event.kind === 'run-progress' && event.progress.rowsCached > 0 && !firstChunkAt.has(event.runId)) firstChunkAt.set(event.runId, performance.now());
  });
  return { service, profile, firstChunkAt };
}

export const reportOf = (profile: PostgresProfile, rows: number): ReportDefinition => ({
  source: { type: 'postgres', profileId: profile.id },
  dataset: datasetName(rows),
});

/** A run that did not cache every row is a failed measurement, not a fast one. */
export function checkComplete(summary: RunSummary, rows: number): void {
  if (summary.status !== 'completed' || summary.progress.rowsCached !== rows) {
    throw new Error(`The run ended ${summary.status} with ${summary.progress.rowsCached} of ${rows} rows: ${summary.error?.message ?? 'no error'}`);
  }
}

export async function timedRun({ service, profile, firstChunkAt }: BenchService, rows: number): Promise<Timings> {
  const started = performance.now();
  const run = await service.startRun(reportOf(profile, rows));
  const summary = await service.waitForRun(run.runId);
  const ms = performance.now() - started;
  checkComplete(summary, rows);
  const firstAt = firstChunkAt.get(run.runId);
  firstChunkAt.delete(run.runId);
  return { ms, firstChunkMs: firstAt === undefined ? null : firstAt - started, engineFirstChunkMs: summary.firstChunkMs, runId: run.runId };
}

export async function timedExport(service: ReportService, runId: string, path: string, format: ExportFormat): Promise<number> {
  const started = performance.now();
  const { exportId } = await service.startExport({ runId, path, format });
  const done = await service.exports.waitFor(exportId);
  if (done.status !== 'completed') throw new Error(`The ${format} export ended ${done.status}: ${done.error?.message ?? 'no error'}`);
  return performance.now() - started;
}

/** The old way: one query holds the whole result in memory, then it is written out as CSV. */
export async function naive(url: string, rows: number, path: string): Promise<Timings> {
  const client = new pg.Client({ connectionString: url, types: { getTypeParser: () => (text: string) => text } });
  await client.connect();
  try {
    const started = performance.now();
    const result = await client.query(`SELECT * FROM ${datasetName(rows)} ORDER BY id`);
    // Nothing can be shown before the whole result has arrived.
    const firstChunkMs = performance.now() - started;
    const names = result.fields.map((field) => field.name);
    const out = createWriteStream(path);
    let text = `${names.join(',')}\n`;
    for (const row of result.rows as Record<string, string | null>[]) {
      text += `${names.map((name) => csvField(row[name] ?? null, false)).join(',')}\n`;
      if (text.length > 1 << 16) {
        if (!out.write(text)) await once(out, 'drain');
        text = '';
      }
    }
    out.end(text);
    await once(out, 'finish');
    return { ms: performance.now() - started, firstChunkMs };
  } finally {
    await client.end();
  }
}

export interface CaseTask {
  case: 'naive' | 'run' | 'run+csv' | 'csv' | 'xlsx' | 'prepare';
  rows: number;
  url: string;
  /** The service's cache; for csv and xlsx, the one holding `runId`. */
  cacheDir: string;
  /** Where exports are written (removed by the parent). */
  outPath: string;
  runId?: string;
  chunkSize?: number;
}

/** Runs one case of the table; `prepare` caches a run for the export-only cases. */
export async function runCase(task: CaseTask): Promise<Timings> {
  if (task.case === 'naive') return naive(task.url, task.rows, task.outPath);
  const bench = await openService(task.url, { cacheDir: task.cacheDir, ...(task.chunkSize ? { chunkSize: task.chunkSize } : {}) });
  try {
    switch (task.case) {
      case 'run':
      case 'prepare':
        return await timedRun(bench, task.rows);
      case 'run+csv': {
        const run = await timedRun(bench, task.rows);
        const exportMs = await timedExport(bench.service, run.runId as string, task.outPath, 'csv');
        return { ...run, ms: run.ms + exportMs, exportMs };
      }
      case 'csv':
      case 'xlsx': {
        if (!task.runId) throw new Error(`The ${task.case} case needs a cached run.`);
        const exportMs = await timedExport(bench.service, task.runId, task.outPath, task.case);
        return { ms: exportMs, firstChunkMs: null, exportMs };
      }
      default: {
        const unknown: never = task.case;
        throw new Error(`Unknown case ${String(unknown)}.`);
      }
    }
  } finally {
    await bench.service.close();
  }
}
