// Saved reports need no database: add a source through the form, run a
// report, stop the PostgreSQL server and the host, start the host again on the
// same cache, and open, sort and filter the report from the library.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrivatePostgres, type PrivatePostgres } from './support/private-postgres.ts';
import {
  activeRun,
  cell,
  generateDataset,
  gridRowCount,
  openAppSession,
  rowsCached,
  screenshot,
  selectSource,
  waitForRunStatus,
  type AppSession,
} from './support/ui.ts';

const ROWS = 5_000;
const LONG_ROWS = 400_000;

describe('the library, offline', () => {
  let server: PrivatePostgres;
  let ui: AppSession;

  beforeAll(async () => {
    server = await startPrivatePostgres();
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    await client.query(`CREATE TABLE sales AS SELECT g AS id, 'region ' || (g % 7) AS region, g * 3 AS units FROM generate_series(1, ${ROWS}) g`);
    await client.query(`ALTER TABLE sales ADD PRIMARY KEY (id)`);
    await client.query(`CREATE TABLE visits AS SELECT g AS id, md5(g::text) AS a, md5((g + 1)::text) AS b, repeat(md5((g + 2)::text), 2) AS c FROM generate_series(1, ${LONG_ROWS}) g`);
    await client.query(`ALTER TABLE visits ADD PRIMARY KEY (id)`);
    await client.query(`ANALYZE`);
    await client.end();
    ui = await openAppSession();
  }, 180_000);

  afterAll(async () => {
    await ui?.close();
    await server?.dispose();
  });

  it('adds a PostgreSQL source through the form and tests it', async () => {
    const { page } = ui.app;
    await page.getByTestId('sidebar-tab-sources').click();
    await page.getByTestId('add-source').click();
    const form = page.getByTestId('source-form');
    await form.locator('input[name="name"]').fill('Warehouse (offline e2e)');
    await form.locator('input[name="host"]').fill('127.0.0.1');
    await form.locator('input[name="port"]').fill(String(server.port));
    await form.locator('input[name="database"]').fill('postgres');
    await form.locator('input[name="user"]').fill('postgres');
    await form.locator('input[name="password"]').fill('password');
    await form.locator('select[name="sslMode"]').selectOption('disable');
    await form.getByTestId('source-test').click();
    await expect.poll(() => form.getByTestId('source-test-ok').isVisible(), { timeout: 15_000 }).toBe(true);
    await form.getByTestId('source-save').click();
    await expect.poll(() => form.isVisible()).toBe(false);
    await expect.poll(() => page.locator('[data-testid="source-item"]', { hasText: 'Warehouse (offline e2e)' }).count()).toBe(1);
  });

  it('after a restart, a banner lists the interrupted report and Resume finishes it', async () => {
    let { page } = ui.app;
    await selectSource(page, 'Warehouse (offline e2e)');
    await generateDataset(page, 'public.visits', 'Visits');
    await expect.poll(() => rowsCached(page), { timeout: 20_000, interval: 50 }).toBeGreaterThan(0);

    // The app stops mid-run; the report is kept, interrupted.
    await ui.restart();
    page = ui.app.page;

    const banner = page.getByTestId('interrupted-banner');
    await expect.poll(() => banner.isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await banner.textContent()).toContain('Visits');
    await screenshot(page, 'interrupted-banner');

    // This host keeps passwords in memory only: give it again through Edit.
    await page.getByTestId('sidebar-tab-sources').click();
    await page.locator('[data-testid="source-item"]', { hasText: 'Warehouse (offline e2e)' }).getByTestId('edit-source').click();
    const form = page.getByTestId('source-form');
    await form.locator('input[name="password"]').fill('password');
    await form.getByTestId('source-save').click();
    await expect.poll(() => form.isVisible()).toBe(false);

    await banner.getByTestId('banner-resume').click();
    await expect.poll(() => activeRun(page).getAttribute('data-status'), { timeout: 10_000 }).toMatch(/queued|running|completed/);
    await waitForRunStatus(page, 'completed', 120_000);
    expect(await rowsCached(page)).toBe(LONG_ROWS);
    await expect.poll(() => gridRowCount(page), { timeout: 10_000 }).toBe(LONG_ROWS);
    await expect.poll(() => banner.count()).toBe(0);
    expect(ui.app.pageErrors).toEqual([]);
  }, 180_000);

  it('opens a saved report from the library after the database and the app have stopped', async () => {
    let { page } = ui.app;
    await selectSource(page, 'Warehouse (offline e2e)');
    await generateDataset(page, 'public.sales', 'Sales offline');
    await waitForRunStatus(page, 'completed');
    await expect.poll(() => gridRowCount(page)).toBe(ROWS);

    await server.stop();
    await ui.restart();
    page = ui.app.page;

    // The source is unreachable now, and says so.
    await page.getByTestId('sidebar-tab-sources').click();
    const source = page.locator('[data-testid="source-item"]', { hasText: 'Warehouse (offline e2e)' });
    await source.getByTestId('test-source').click();
    await expect.poll(() => source.locator('[data-testid="error-message"]').getAttribute('data-kind'), { timeout: 20_000 }).toMatch(/Unreachable|ConnectionLost|Timeout/);

    await page.getByTestId('sidebar-tab-library').click();
    const item = page.locator('[data-testid="library-item"]', { hasText: 'Sales offline' });
    await expect.poll(() => item.getAttribute('data-status')).toBe('completed');
    await screenshot(page, 'library');
    await item.getByTestId('library-open').click();
    await expect.poll(() => gridRowCount(page), { timeout: 10_000 }).toBe(ROWS);
    await expect.poll(() => cell(page, 0, 0).textContent()).toBe('1');

    // Sorted by the cache, with no database behind it.
    const units = activeRun(page).locator('.ag-header-cell[col-id="c2"] .ag-header-cell-label');
    await units.click();
    await units.click();
    await expect.poll(() => cell(page, 0, 2).textContent(), { timeout: 10_000 }).toBe(String(ROWS * 3));
    await screenshot(page, 'library-offline-report');
    expect(ui.app.pageErrors).toEqual([]);
  }, 120_000);
});
