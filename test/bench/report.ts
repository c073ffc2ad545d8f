// Turns measured samples into the table (or JSON lines) and prints the soak and load results.
import { cpus, totalmem } from 'node:os';
import type { LoadResult, PagesResult, SoakResult } from './modes.ts';
import type { CaseName } from './options.ts';

/** One measurement of one case. */
export interface Sample {
  case: CaseName;
  rows: number;
  ms: number;
  firstChunkMs: number | null;
  peakRssMB: number;
  /** CPU time of the process doing the work (not the PostgreSQL server's): steadier than wall time on a busy machine. */
  cpuMs: number | null;
  exportMs?: number;
  engineFirstChunkMs?: number | null;
}

/** One case at one size over its repetitions: medians, and the highest resident peak. */
export interface CaseRow {
  case: CaseName;
  rows: number;
  ms: number;
  firstChunkMs: number | null;
  rowsPerSec: number;
  peakRssMB: number;
  ratioToPsql: number | null;
  cpuMs: number | null;
  reps: number;
  msMin: number;
  msMax: number;
  exportMs?: number;
  engineFirstChunkMs?: number;
}

/** The value below which p percent of `values` lie (nearest rank); null for none. */
export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

const round = (value: number, digits = 0): number => Math.round(value * 10 ** digits) / 10 ** digits;
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}
const medianOf = (values: (number | null | undefined)[]): number | undefined => {
  const present = values.filter((v): v is number => typeof v === 'number');
  return present.length ? round(median(present)) : undefined;
};

export function aggregate(samples: Sample[]): CaseRow[] {
  const groups = new Map<string, Sample[]>();
  for (const sample of samples) {
    const key = `${sample.rows}\u0000${sample.case}`;
    groups.set(key, [...(groups.get(key) ?? []), sample]);
  }
  const rows = [...groups.values()].map((group): CaseRow => {
    const first = group[0] as Sample;
    const ms = median(group.map((s) => s.ms));
    const exportMs = medianOf(group.map((s) => s.exportMs));
    const engineFirstChunkMs = medianOf(group.map((s) => s.engineFirstChunkMs));
    return {
      case: first.case,
      rows: first.rows,
      ms: round(ms),
      firstChunkMs: medianOf(group.map((s) => s.firstChunkMs)) ?? null,
      rowsPerSec: round((first.rows / ms) * 1000),
      peakRssMB: Math.max(...group.map((s) => s.peakRssMB)),
      ratioToPsql: null,
      cpuMs: medianOf(group.map((s) => s.cpuMs)) ?? null,
      reps: group.length,
      msMin: round(Math.min(...group.map((s) => s.ms))),
      msMax: round(Math.max(...group.map((s) => s.ms))),
      ...(exportMs !== undefined ? { exportMs } : {}),
      ...(engineFirstChunkMs !== undefined ? { engineFirstChunkMs } : {}),
    };
  });
  for (const row of rows) {
    const psql = rows.find((r) => r.rows === row.rows && r.case === 'psql');
    if (psql) row.ratioToPsql = round(row.ms / psql.ms, 2);
  }
  return rows;
}

const pad = (text: string, width: number, left = false): string => (left ? text.padEnd(width) : text.padStart(width));
const num = (value: number | null | undefined, digits = 0): string =>
  value === null || value === undefined ? '–' : value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** Where the figures were taken: the machine and how busy it was (other work skews every figure). */
export function machineNote(loadBefore: number, loadAfter: number): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  return `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, Node ${process.versions.node}, ${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GB; load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after`;
}

export function printTable(rows: CaseRow[], json: boolean, note: string): void {
  if (json) {
    for (const row of rows) console.log(JSON.stringify(row));
    console.log(JSON.stringify({ machine: note }));
    return;
  }
  console.log(note);
  const header = ['rows', 'case', 'ms (median)', 'min–max', 'first chunk ms', 'rows/s', 'peak RSS MB', '× psql', 'export ms', 'client CPU ms'];
  const widths = [11, 8, 12, 17, 15, 11, 12, 7, 10, 14];
  const line = (cells: string[]): string => cells.map((cell, i) => pad(cell, widths[i] as number, i === 1)).join('  ');
  console.log(line(header));
  for (const row of rows) {
    console.log(
      line([
        num(row.rows),
        row.case,
        num(row.ms),
        row.reps > 1 ? `${num(row.msMin)}–${num(row.msMax)}` : '',
        num(row.firstChunkMs),
        num(row.rowsPerSec),
        num(row.peakRssMB, 1),
        num(row.ratioToPsql, 2),
        num(row.exportMs),
        num(row.cpuMs),
      ]),
    );
  }
  console.log('first chunk: from asking for the report to its first rows cached (naive: to the whole result loaded).');
  console.log('× psql: median time over psql\'s median at the same size; peak RSS: the highest over the repetitions.');
  console.log('client CPU: user + system time of the process doing the work (psql or Node), without the PostgreSQL server\'s.');
}

export function printSoak(result: SoakResult & { peakRssMB: number }, json: boolean): void {
  const [first, , last] = result.points;
  const growth = first && last ? { rssMB: round(last.rssMB - first.rssMB, 1), heapMB: round(last.heapMB - first.heapMB, 1) } : null;
  if (json) {
    console.log(JSON.stringify({ mode: 'soak', ...result, growthFromRun10: growth }));
    return;
  }
  console.log(`soak: ${last?.run ?? 0} consecutive 10,000-row runs in one process, median ${num(result.medianMs)} ms per run, peak RSS ${num(result.peakRssMB, 1)} MB`);
  for (const point of result.points) console.log(`  after run ${pad(String(point.run), 3)}: RSS ${num(point.rssMB, 1)} MB, heap ${num(point.heapMB, 1)} MB (after forced GC)`);
  if (growth && first && last) console.log(`  growth from run ${first.run} to ${last.run}: RSS ${num(growth.rssMB, 1)} MB, heap ${num(growth.heapMB, 1)} MB`);
}

export function printLoad(label: string, result: (LoadResult & { peakRssMB: number }) | { pending: string }, json: boolean): void {
  if (json) {
    console.log(JSON.stringify({ mode: `load ${label}`, ...result }));
    return;
  }
  if ('pending' in result) {
    console.log(`load ${label}: ${result.pending}`);
    return;
  }
  console.log(
    `load ${label}: ${result.completed}/${result.users} completed, ${result.errors.length ? `errors: ${result.errors.join(' | ')}` : 'no errors'}, ` +
      `p50 ${num(result.p50Ms)} ms, p99 ${num(result.p99Ms)} ms, max ${num(result.maxMs)} ms, peak RSS ${num(result.peakRssMB, 1)} MB`,
  );
}

export function printPages(result: PagesResult & { peakRssMB: number }, json: boolean): void {
  if (json) {
    for (const row of result.orders) console.log(JSON.stringify({ mode: 'pages', rows: result.rows, ...row, peakRssMB: result.peakRssMB }));
    return;
  }
  console.log(`pages: 100-row pages of a settled ${result.rows.toLocaleString('en-US')}-row run, peak RSS ${num(result.peakRssMB, 1)} MB`);
  console.log('| order | first page ms (builds the view) | page ms, median | page ms, max | straight SQL page ms, max | straight ÷ view |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const row of result.orders) {
    const ratio = row.pageMaxMs > 0 ? row.straightMaxMs / row.pageMaxMs : null;
    console.log(`| ${row.order} | ${num(row.firstPageMs)} | ${num(row.pageMedianMs, 2)} | ${num(row.pageMaxMs, 2)} | ${num(row.straightMaxMs)} | ${ratio === null ? '–' : `${num(ratio, ratio < 10 ? 1 : 0)}×`} |`);
  }
  console.log('pages at 0, 25, 50 and 75 % and the last; straight SQL is how a run still being written is paged.');
}
