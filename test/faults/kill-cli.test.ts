// SIGKILL the CLI at random moments of a run, 20 times: each time the run file
// and the library pass SQLite's integrity check, the service that opens the
// cache next finds the run interrupted with every committed chunk intact, and
// resuming (through the CLI again) ends with exactly the source's rows.
import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { type CliChild, integrityOf, peekRunFile, runFiles, spawnCli } from './support/cli-child.ts';
import { FaultProxy } from './support/fault-proxy.ts';
import { cachedRows, createOrders, openService, sourceRows, tally, waitUntil } from './support/service-kit.ts';

const ROWS = 12_000;
/** Small chunks: 120 places to be killed at in the first half, so that twenty kills rarely meet at one. */
const CHUNK = 50;
/**
 * Kills land in the first half of the run. The second half (120 slowed chunks, two seconds or more) is
 * the margin that keeps a busy machine's late poll from finding the run already finished.
 */
const KILL_BEFORE = ROWS / 2;
const RUNS = 5;
/** Each run is killed four times (once running, then in three resumes), then resumed to its end. */
const KILLS_PER_RUN = 4;
/** Every chunk crosses a slow link while kills are due, so a run lasts long enough to be killed anywhere in it. */
const SLOW_MS = 8;

describe('SIGKILL of the CLI mid-run', () => {
  let db: TestDatabase;
  let proxy: FaultProxy;
  let cacheDir: string;
  let url: string;
  let expected: (string | null)[][];
  let kills = 0;
  /** Rows cached when each kill landed: the moments must differ, not repeat one lucky spot. */
  const killedAt: number[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('faults_kill');
    await createOrders(db.sql, 'orders', ROWS);
    expected = await sourceRows(db.url, 'SELECT id, customer, amount, placed_at, note FROM orders ORDER BY id');
    const target = new URL(db.url);
    proxy = await FaultProxy.start({ host: target.hostname, port: Number(target.port) });
    url = proxy.urlFor(db.url);
    cacheDir = mkdtempSync(join(tmpdir(), 'reportstream-kill-'));
  });

  afterAll(async () => {
    tally.faults += kills;
    tally.flush('kill-cli');
    await proxy.close();
    rmSync(cacheDir, { recursive: true, force: true });
    await db.drop();
  });

  /** Waits until the child's run has cached `target` rows (or more), then kills it a random moment later. */
  async function killAtRandom(cli: CliChild, file: () => string | undefined, target: number): Promise<void> {
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    void cli.exited.then((result) => (exit = result));
    await waitUntil('the run to be under way', () => {
      if (exit) throw new Error(`the CLI ended (code ${exit.code}) before it could be killed at ${target} rows:\n${cli.output()}`);
      const path = file();
      const state = path ? peekRunFile(path) : null;
      return state !== null && state.status === 'running' && state.rowsCached >= target;
    }, 30_000, 2);
    await new Promise((resolve) => setTimeout(resolve, randomInt(0, 25)));
  }

  async function checkAfterKill(file: string, label: string): Promise<{ runId: string; rows: number }> {
    expect(integrityOf(file), `${label}: run file`).toBe('ok');
    expect(integrityOf(join(cacheDir, 'library.sqlite')), `${label}: library`).toBe('ok');
    const kit = await openService({}, cacheDir);
    try {
      const [run] = (await kit.service.listRuns()).filter((r) => r.file === file);
      expect(run, label).toBeDefined();
      if (!run) throw new Error('no run');
      expect(run.status, label).toBe('interrupted');
      expect((await kit.service.getAppInfo()).interruptedAtStart, label).toContain(run.runId);
      expect(peekRunFile(file)?.status, `${label}: the run file itself`).toBe('interrupted');
      const rows = await cachedRows(kit.service, run.runId);
      expect(rows.length, label).toBe(run.progress.rowsCached);
      expect(rows, label).toEqual(expected.slice(0, rows.length));
      tally.rowsCompared += rows.length;
      return { runId: run.runId, rows: rows.length };
    } finally {
      await kit.close();
    }
  }

  it(`is survived ${RUNS * KILLS_PER_RUN} times: integrity ok, run interrupted with rows intact, resume exact`, async () => {
    for (let round = 1; round <= RUNS; round++) {
      proxy.slow(SLOW_MS);
      const before = new Set(runFiles(cacheDir));
      const start = spawnCli(['run', '--source', url, '--dataset', 'orders', '--chunk', String(CHUNK), '--cache', cacheDir, '--json']);
      let file: string | undefined;
      // This run's four kill points, spread over the first half: drawn once, in order, so they do not crowd its end.
      const targets = Array.from({ length: KILLS_PER_RUN }, () => randomInt(0, KILL_BEFORE)).sort((a, b) => a - b);
      await killAtRandom(start, () => (file ??= runFiles(cacheDir).find((f) => !before.has(f))), targets[0] ?? 0);
      start.child.kill('SIGKILL');
      expect((await start.exited).signal, start.output()).toBe('SIGKILL');
      kills++;
      if (!file) throw new Error('no run file');
      const first = await checkAfterKill(file, `round ${round}, kill 1`);
      killedAt.push(first.rows);
      expect(integrityOf(file)).toBe('ok');

      let rowsSoFar = first.rows;
      for (let kill = 2; kill <= KILLS_PER_RUN; kill++) {
        const resume = spawnCli(['resume', first.runId, '--source', url, '--cache', cacheDir, '--json']);
        // A point already passed means a kill as soon as the resume runs, before its first new chunk.
        await killAtRandom(resume, () => file, Math.max(targets[kill - 1] ?? 0, rowsSoFar));
        resume.child.kill('SIGKILL');
        expect((await resume.exited).signal, resume.output()).toBe('SIGKILL');
        kills++;
        tally.resumes++;
        const after = await checkAfterKill(file, `round ${round}, kill ${kill}`);
        expect(after.rows).toBeGreaterThanOrEqual(rowsSoFar);
        killedAt.push(after.rows);
        rowsSoFar = after.rows;
      }

      // The last resume needs no slow link: nothing is killed in it.
      proxy.slow(0);
      const last = spawnCli(['resume', first.runId, '--source', url, '--cache', cacheDir, '--json']);
      const { code } = await last.exited;
      expect(code, last.output()).toBe(0);
      tally.resumes++;
      expect(JSON.parse(last.stdout().trim().split('\n').at(-1) ?? '{}')).toMatchObject({ runId: first.runId, status: 'completed', rows: ROWS });
      const kit = await openService({}, cacheDir);
      try {
        expect(await cachedRows(kit.service, first.runId)).toEqual(expected);
        tally.rowsCompared += ROWS;
      } finally {
        await kit.close();
      }
      expect(integrityOf(file)).toBe('ok');
    }
    expect(kills).toBe(RUNS * KILLS_PER_RUN);
    expect(new Set(killedAt).size, `rows cached at each kill: ${killedAt.join(', ')}`).toBeGreaterThanOrEqual(10);
  }, 420_000);
});
