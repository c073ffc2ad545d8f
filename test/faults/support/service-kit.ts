// What the fault specs share: a service over a fresh cache folder, a saved
// PostgreSQL source, the rows as cached and as the source has them, and a tally
// of faults injected, runs resumed and rows compared for the closing report.
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { CellValue, RunSummary, SourceRef } from '../../../src-preload/contract.ts';
import { ReportService, type ServiceOptions } from '../../../src-main/engine/service.ts';
import { profileFromUrl } from '../../../src-main/engine/sources/registry.ts';

export interface ServiceKit {
  service: ReportService;
  cacheDir: string;
  /** A saved source for `url` (password kept in the service's memory store). */
  source: (url: string) => Promise<SourceRef>;
  close: () => Promise<void>;
}

export async function openService(options: Omit<ServiceOptions, 'cacheDir'> & { readTimeoutMs?: number } = {}, cacheDir?: string): Promise<ServiceKit> {
  const dir = cacheDir ?? mkdtempSync(join(tmpdir(), 'reportstream-faults-'));
  const service = await ReportService.open({ cacheDir: dir, ...options });
  return {
    service,
    cacheDir: dir,
    source: async (url) => ({ type: 'postgres', profileId: (await service.saveSource(profileFromUrl(url))).id }),
    close: async () => {
      await service.close();
      if (!cacheDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Every cached row of a run, in cache order, page by page as the grid reads them. */
export async function cachedRows(service: ReportService, runId: string): Promise<CellValue[][]> {
  const rows: CellValue[][] = [];
  for (;;) {
    const page = await service.getRows({ runId, start: rows.length, end: rows.length + 10_000 });
    rows.push(...page.rows);
    if (page.rows.length < 10_000) return rows;
  }
}

/** Rows exactly as PostgreSQL prints them, straight from the server. */
export async function sourceRows(url: string, sql: string): Promise<CellValue[][]> {
  const client = new pg.Client({ connectionString: url, types: { getTypeParser: () => (text: string) => text } });
  client.on('error', () => {});
  await client.connect();
  try {
    return (await client.query({ text: sql, rowMode: 'array' })).rows as CellValue[][];
  } finally {
    await client.end();
  }
}

export async function waitUntil(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 20_000, everyMs = 5): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Waits until a live run has cached at least `rows` rows. */
export async function waitForRows(service: ReportService, runId: string, rows: number, timeoutMs = 20_000): Promise<RunSummary> {
  let run: RunSummary | undefined;
  await waitUntil(`${rows} cached rows`, async () => {
    run = await service.getRun({ runId });
    return run.progress.rowsCached >= rows || !['queued', 'running'].includes(run.status);
  }, timeoutMs);
  return run as RunSummary;
}

/** Creates `name` with `count` rows: a key, duplicates, NULLs, exact numerics and microsecond timestamps. */
export async function createOrders(sql: (text: string) => Promise<unknown>, name: string, count: number): Promise<void> {
  await sql(`CREATE TABLE ${name} (
    id integer PRIMARY KEY, customer text, amount numeric(14, 4), placed_at timestamptz, note text)`);
  await sql(`INSERT INTO ${name}
    SELECT g, 'customer ' || (g % 37), (g * 1.0001)::numeric(14, 4),
           timestamptz '2024-01-01 00:00:00.000001+00' + g * interval '1.000001 second',
           CASE WHEN g % 5 = 0 THEN NULL ELSE 'note ' || g END
    FROM generate_series(1, ${count}) g`);
  await sql(`ANALYZE ${name}`);
}

/** Counts gathered across spec files when REPORTSTREAM_FAULT_TALLY names a file. */
export const tally = {
  faults: 0,
  resumes: 0,
  rowsCompared: 0,
  flush(spec: string): void {
    const file = process.env.REPORTSTREAM_FAULT_TALLY;
    if (file) appendFileSync(file, `${JSON.stringify({ spec, faults: this.faults, resumes: this.resumes, rowsCompared: this.rowsCompared })}\n`);
  },
};
