// Opens a real ReportService on a temporary cache folder, with a PostgreSQL
// profile for a test database.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppEvent, RunSummary, SourceRef } from '../../src-preload/contract.ts';
import { ReportService, type ServiceOptions } from '../../src-main/engine/service.ts';
import { profileFromUrl } from '../../src-main/engine/sources/registry.ts';

export interface TestService {
  service: ReportService;
  cacheDir: string;
  events: AppEvent[];
  /** Saves a profile for `url` and returns its source. */
  postgres: (url: string) => Promise<SourceRef>;
  close: () => Promise<void>;
}

export async function openTestService(options: Partial<ServiceOptions> = {}): Promise<TestService> {
  const cacheDir = options.cacheDir ?? mkdtempSync(join(tmpdir(), 'reportstream-cache-'));
  const service = await ReportService.open({ ...options, cacheDir });
  const events: AppEvent[] = [];
  service.onEvent((event) => events.push(event));
  return {
    service,
    cacheDir,
    events,
    postgres: async (url) => {
      const profile = await service.saveSource(profileFromUrl(url));
      return { type: 'postgres', profileId: profile.id };
    },
    close: async () => {
      await service.close();
      if (!options.cacheDir) rmSync(cacheDir, { recursive: true, force: true });
    },
  };
}

/** Every cached row of a run, in cache order, through the public page API. */
export async function cachedRows(service: ReportService, runId: string): Promise<(string | null)[][]> {
  const rows: (string | null)[][] = [];
  for (let start = 0; ; start += 10_000) {
    const page = await service.getRows({ runId, start, end: start + 10_000 });
    rows.push(...page.rows);
    if (page.rows.length < 10_000) return rows;
  }
}

/**
 * Cancels the run from inside the progress event that first reports at least `rows` cached rows,
 * so even a fast run is stopped at a known point. Resolves with the cancelled run.
 */
export function cancelAt(test: TestService, runId: string, rows: number): Promise<RunSummary> {
  return new Promise((resolve, reject) => {
    const unsubscribe = test.service.onEvent((event) => {
      if (event.kind === 'run-progress' && event.runId === runId && event.progress.rowsCached >= rows) {
        unsubscribe();
        test.service.cancelRun({ runId }).then(resolve, reject);
      } else if (event.kind === 'run-status' && event.runId === runId && !['queued', 'running'].includes(event.status)) {
        unsubscribe();
        reject(new Error(`run ended ${event.status} before ${rows} rows`));
      }
    });
  });
}

/** Resolves once the run has cached at least `rows` rows. */
export function waitForRows(test: TestService, runId: string, rows: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = (event: AppEvent) => {
      if (event.kind === 'run-progress' && event.runId === runId && event.progress.rowsCached >= rows) done(resolve);
      if (event.kind === 'run-status' && event.runId === runId && !['queued', 'running'].includes(event.status)) {
        done(() => reject(new Error(`run ended ${event.status} before ${rows} rows`)));
      }
    };
    const unsubscribe = test.service.onEvent(check);
    const done = (then: () => void) => {
      unsubscribe();
      then();
    };
  });
}


/** Compares two row lists and names the first row that differs (a plain deep-equal of 100,000 rows takes minutes to diff). */
export function firstDifference(actual: unknown[][], expected: unknown[][]): { index: number; actual: unknown; expected: unknown } | null {
  const length = Math.max(actual.length, expected.length);
  for (let i = 0; i < length; i++) {
    if (JSON.stringify(actual[i]) !== JSON.stringify(expected[i])) return { index: i, actual: actual[i], expected: expected[i] };
  }
  return null;
}
