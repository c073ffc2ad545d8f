// A report run driven below the service: a PostgresSource, a run file and a
// ReportRun with settings the service does not expose (a read timeout of a
// second), so link deaths that take 30 s by default are tested in one or two.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CellValue, ReportDefinition, RunProgress, RunStatus } from '../../../src-preload/contract.ts';
import { RunFileReader, RunFileWriter, type RunState } from '../../../src-main/engine/cache/run-file.ts';
import { ReportRun, type RunSettings } from '../../../src-main/engine/run.ts';
import { PostgresSource } from '../../../src-main/engine/sources/postgres.ts';
import { type PreparedReport, resumeKeyOf } from '../../../src-main/engine/sources/report-query.ts';

export interface DirectRun {
  run: ReportRun;
  file: string;
  progress: RunProgress[];
  /** Runs it to the end; resolves with its final state and how long that took. */
  finish: () => Promise<{ state: RunState; ms: number }>;
}

export function sourceFor(url: string, connectTimeoutMs = 5_000): PostgresSource {
  const parsed = new URL(url);
  return new PostgresSource('faults', {
    host: parsed.hostname,
    port: Number(parsed.port),
    database: parsed.pathname.slice(1),
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    sslMode: 'disable',
    connectTimeoutMs,
  });
}

export class DirectRuns {
  readonly dir = mkdtempSync(join(tmpdir(), 'reportstream-direct-'));
  private count = 0;

  async prepare(url: string, definition: Omit<ReportDefinition, 'source'>): Promise<PreparedReport> {
    return sourceFor(url).prepare({ source: { type: 'postgres', profileId: 'faults' }, ...definition });
  }

  /** A new run file for `report`. */
  create(report: PreparedReport, definition: Omit<ReportDefinition, 'source'>): string {
    const runId = `direct-${++this.count}`;
    const file = join(this.dir, `${runId}.sqlite`);
    const writer = RunFileWriter.create(file, {
      runId,
      name: runId,
      source: { type: 'postgres', profileId: 'faults' },
      sourceLabel: 'faults',
      definition: { source: { type: 'postgres', profileId: 'faults' }, ...definition },
      columns: report.columns,
      resumeKey: resumeKeyOf(report),
      resumable: report.resumable,
      createdAt: new Date().toISOString(),
    });
    writer.close();
    return file;
  }

  /** Starts (or resumes) the run kept in `file` against `url`. */
  start(file: string, url: string, report: PreparedReport, settings: RunSettings): DirectRun {
    const writer = RunFileWriter.open(file);
    const progress: RunProgress[] = [];
    const statuses: RunStatus[] = [];
    const run = new ReportRun(file, writer, sourceFor(url), report, settings, {
      onProgress: (p) => progress.push(p),
      onStatus: (status) => statuses.push(status),
    });
    const startedAt = Date.now();
    const done = run.execute().then(() => {
      const state = writer.readState();
      writer.close();
      return { state, ms: Date.now() - startedAt };
    });
    return { run, file, progress, finish: () => done };
  }

  rows(file: string): CellValue[][] {
    const reader = new RunFileReader(file);
    try {
      return reader.db.prepare(`SELECT * FROM rows ORDER BY seq`).raw().all().map((row) => (row as CellValue[]).slice(1));
    } finally {
      reader.close();
    }
  }

  state(file: string): RunState {
    const reader = new RunFileReader(file);
    try {
      return reader.readState();
    } finally {
      reader.close();
    }
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
