// What the analyst sees when data is hostile, empty or out of reach: markup in
// cells stays literal text and never runs; each failure has its own message;
// an empty dataset says "No data"; a 768 px window has no sideways scroll.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import {
  activeRun,
  addProfile,
  cell,
  generateDataset,
  generateSql,
  gridRowCount,
  openApp,
  openAppSession,
  screenshot,
  selectSource,
  startTestHost,
  waitForRunStatus,
  type AppSession,
  type TestHost,
} from './support/ui.ts';

const PAYLOADS = [
  '<img src=x onerror="window.__xss = 1">',
  '<script>window.__xss = 2</script>',
  '"><svg onload="window.__xss = 3"></svg>',
  '<b>bold?</b> &amp; =1+1',
];

describe('hostile, empty and unreachable data in the window', () => {
  let db: TestDatabase;
  let limitedHost: TestHost;
  let ui: AppSession;
  let role: string;

  beforeAll(async () => {
    db = await createTestDatabase('e2e_safety');
    role = `reader_${db.name}`;
    await db.sql(`CREATE TABLE notes (id int PRIMARY KEY, body text)`);
    for (const [index, payload] of PAYLOADS.entries()) {
      await db.sql(`INSERT INTO notes VALUES ($1, $2)`, [index + 1, payload]);
    }
    await db.sql(`INSERT INTO notes VALUES (${PAYLOADS.length + 1}, ''), (${PAYLOADS.length + 2}, NULL)`);
    await db.sql(`CREATE TABLE nothing_here (id int PRIMARY KEY, name text)`);
    await db.sql(`CREATE TABLE salaries (id int PRIMARY KEY, amount int)`);
    await db.sql(`INSERT INTO salaries SELECT g, g FROM generate_series(1, 10) g`);
    await db.sql(`CREATE ROLE ${role} LOGIN PASSWORD 'reader-pw'`);
    await db.sql(`GRANT SELECT ON notes TO ${role}`);
    // Each row takes 20 ms to read: runs of it stay running long enough to hit the limit.
    await db.sql(`CREATE FUNCTION slow_id(i int) RETURNS int LANGUAGE plpgsql VOLATILE AS $$ BEGIN PERFORM pg_sleep(0.02); RETURN i; END $$`);
    await db.sql(`ANALYZE`);

    ui = await openAppSession([
      { url: db.url, name: 'Owner (e2e)' },
      { url: db.urlAs(role, 'reader-pw'), name: 'Reader (e2e)' },
    ]);
  }, 120_000);

  afterAll(async () => {
    await ui?.close();
    await limitedHost?.dispose();
    await db?.sql(`DROP OWNED BY ${role}`).catch(() => {});
    await db?.drop();
    await db?.sql(`DROP ROLE IF EXISTS ${role}`).catch(() => {});
  });

  it('shows <img onerror> and <script> rows as literal text, and runs none of them', async () => {
    const { page } = ui.app;
    await selectSource(page, 'Owner (e2e)');
    await generateDataset(page, 'public.notes', 'Hostile notes');
    await waitForRunStatus(page, 'completed');
    await expect.poll(() => gridRowCount(page)).toBe(PAYLOADS.length + 2);
    for (const [index, payload] of PAYLOADS.entries()) {
      await expect.poll(() => cell(page, index, 1).textContent()).toBe(payload);
    }
    expect(await activeRun(page).locator('.ag-cell img, .ag-cell script, .ag-cell svg, .ag-cell b').count()).toBe(0);
    // Empty text stays empty; NULL is drawn apart.
    expect(await cell(page, PAYLOADS.length, 1).textContent()).toBe('');
    expect(await cell(page, PAYLOADS.length, 1).locator('.cell-null').count()).toBe(0);
    expect(await cell(page, PAYLOADS.length + 1, 1).locator('.cell-null').textContent()).toBe('NULL');
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(ui.app.pageErrors).toEqual([]);
  });

  it('says a dataset was not found', async () => {
    const { page } = ui.app;
    await generateDataset(page, 'public.no_such_table', 'Missing');
    const error = page.locator('[data-testid="error-message"][data-kind="NotFound"]');
    await expect.poll(() => error.isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await error.textContent()).toContain('Dataset not found');
    await screenshot(page, 'error');
  });

  it('says permission denied when the user may not read the table', async () => {
    const { page } = ui.app;
    await selectSource(page, 'Reader (e2e)');
    await generateSql(page, 'select id, amount from salaries', 'Salaries as reader');
    const error = page.locator('[data-testid="error-message"][data-kind="PermissionDenied"]');
    await expect.poll(() => error.first().isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await error.first().textContent()).toContain('Permission denied');
  });

  it('shows "No data" for an empty dataset', async () => {
    const { page } = ui.app;
    await selectSource(page, 'Owner (e2e)');
    await generateDataset(page, 'public.nothing_here', 'Empty');
    await waitForRunStatus(page, 'completed');
    await expect.poll(() => activeRun(page).getByTestId('no-data').textContent(), { timeout: 10_000 }).toBe('No data');
  });

  it('has no horizontal page scroll at 768 px', async () => {
    const { page } = ui.app;
    await page.setViewportSize({ width: 768, height: 900 });
    for (const open of ['new-report', 'open-activity'] as const) {
      await page.getByTestId(open).click();
      await page.waitForTimeout(200);
      const { scrollWidth, clientWidth } = await page.evaluate(() => ({
        scrollWidth: document.scrollingElement?.scrollWidth ?? 0,
        clientWidth: document.scrollingElement?.clientWidth ?? 0,
      }));
      expect(scrollWidth, `${open}: page wider than the window`).toBeLessThanOrEqual(clientWidth);
    }
    await page.locator('[data-testid="tab"]', { hasText: 'Hostile notes' }).getByRole('tab').click();
    const widths = await page.evaluate(() => ({
      scrollWidth: document.scrollingElement?.scrollWidth ?? 0,
      clientWidth: document.scrollingElement?.clientWidth ?? 0,
      app: document.querySelector('.app')?.getBoundingClientRect().width ?? 0,
    }));
    expect(widths.scrollWidth).toBeLessThanOrEqual(widths.clientWidth);
    expect(widths.app).toBeLessThanOrEqual(768);
    await screenshot(page, 'narrow-768');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('names the limit when too many reports run at once', async () => {
    limitedHost = await startTestHost({ maxConcurrentRuns: 2 });
    await addProfile(limitedHost, db.url, 'Owner (e2e)');
    const limited = await openApp(ui.browser, limitedHost);
    try {
      const { page } = limited;
      await selectSource(page, 'Owner (e2e)');
      const slowSql = 'select slow_id(g) as id from generate_series(1, 100000) g';
      await generateSql(page, slowSql, 'Slow 1');
      await expect.poll(() => activeRun(page).getAttribute('data-status')).toMatch(/queued|running/);
      await generateSql(page, slowSql, 'Slow 2');
      await expect.poll(() => page.locator('[data-testid="run-view"][data-status="running"], [data-testid="run-view"][data-status="queued"]').count()).toBe(2);
      await generateSql(page, slowSql, 'Slow 3');
      const error = page.locator('[data-testid="error-message"][data-kind="TooManyRuns"]');
      await expect.poll(() => error.isVisible(), { timeout: 15_000 }).toBe(true);
      expect(await error.textContent()).toMatch(/Too many reports running \(limit 2\)/);
      await screenshot(page, 'too-many-reports');
      expect(limited.pageErrors).toEqual([]);
    } finally {
      for (const run of await limitedHost.service.listRuns()) {
        if (run.status === 'running' || run.status === 'queued') await limitedHost.service.cancelRun({ runId: run.runId }).catch(() => {});
      }
      await limited.close();
    }
  }, 90_000);
});
