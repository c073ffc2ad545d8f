// What the CLI prints: a one-line progress bar on a terminal, and the run table.
import type { ExportProgress, RunProgress, RunSummary } from '../src-preload/contract.ts';

const number = (n: number) => n.toLocaleString('en-US');

export function duration(seconds: number | null): string {
  if (seconds === null) return '—';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

function bar(percent: number | null, width = 24): string {
  if (percent === null) return `[${'·'.repeat(width)}]`;
  const filled = Math.round((percent / 100) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

export function formatRunLine(p: RunProgress): string {
  const total = p.totalRows === null ? '' : ` / ${number(p.totalRows)}${p.totalIsExact ? '' : ' (est.)'}`;
  const percent = p.percent === null ? '' : ` ${p.percent.toFixed(1)}%`;
  const reconnect = p.reconnect ? `  Reconnecting (${p.reconnect.attempt} of ${p.reconnect.of})` : '';
  return `${bar(p.percent)}${percent}  ${number(p.rowsCached)}${total} rows  ${number(p.rowsPerSec)} rows/s  ETA ${duration(p.etaSeconds)}${reconnect}`;
}

export function formatExportLine(p: ExportProgress): string {
  return `${bar(p.percent)} ${p.percent.toFixed(1)}%  ${number(p.rowsWritten)} / ${number(p.rowsExpected)} rows written  ${number(p.rowsPerSec)} rows/s  ETA ${duration(p.etaSeconds)}`;
}

/** A progress line redrawn in place on a terminal; silent when stderr is not one. */
export class ProgressLine {
  private shown = false;
  constructor(private readonly stream: NodeJS.WriteStream) {}

  update(text: string): void {
    if (!this.stream.isTTY) return;
    this.stream.write(`\r${text.slice(0, (this.stream.columns || 120) - 1).padEnd(Math.min(this.stream.columns || 120, 120) - 1)}`);
    this.shown = true;
  }

  note(text: string): void {
    this.done();
    this.stream.write(`${text}\n`);
  }

  done(): void {
    if (this.shown) this.stream.write('\n');
    this.shown = false;
  }
}

export function printTable(runs: RunSummary[]): void {
  if (runs.length === 0) {
    console.log('No saved reports yet. Try: reportstream run --source demo --dataset orders');
    return;
  }
  const rows = runs.map((r) => [r.runId, r.status, number(r.progress.rowsCached), r.createdAt.slice(0, 19).replace('T', ' '), r.sourceLabel, r.name]);
  const header = ['RUN ID', 'STATUS', 'ROWS', 'CREATED', 'SOURCE', 'NAME'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)));
  for (const row of [header, ...rows]) console.log(row.map((cell, i) => (i === 2 ? cell.padStart(widths[i] as number) : cell.padEnd(widths[i] as number))).join('  ').trimEnd());
}
