// The analyst's window against a real PostgreSQL: a 100,000-row report shows
// its first rows before it completes, reaches 100% with the row count the
// grid shows, and exports to a CSV file holding exactly those rows.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import {
  activeRun,
  cell,
  generateDataset,
  gridRowCount,
  openAppSession,
  screenshot,
  selectSource,
  waitForRunStatus,
  type AppSession,
} from './support/ui.ts';

const ROWS = 100_000;

interface FirstRows {
  /** ms from the Generate click to the first row with data on screen. */
  afterMs: number;
  status: string;
  rowsCached: number;
}

describe('a 100,000-row report in the window', () => {
  let db: TestDatabase;
  let ui: AppSession;

  beforeAll(async () => {
    db = await createTestDatabase('e2e_stream');
    await db.sql(`
      CREATE TABLE orders AS
      SELECT g AS id,
             'customer ' || (g % 997) AS customer,
             (g * 1.37)::numeric(12, 2) AS amount,
             timestamp '2024-01-01 00:00:00' + g * interval '1 minute' AS created_at,
             CASE WHEN g % 10 = 0 THEN NULL ELSE md5(g::text) END AS note,
             repeat(md5((g * 7)::text), 3) AS padding
      FROM generate_series(1, ${ROWS}) g`);
    await db.sql(`ALTER TABLE orders ADD PRIMARY KEY (id)`);
    await db.sql(`ANALYZE orders`);
    ui = await openAppSession([{ url: db.url, name: 'Sales (e2e)' }]);
  });

  afterAll(async () => {
    await ui?.close();
    await db?.drop();
  });

  it('shows the first rows before the report completes, then 100% and the full row count', async () => {
    const { page } = ui.app;
    await selectSource(page, 'Sales (e2e)');
    // Watch the page itself: when does the first row with data appear, and what does the run say then?
    await page.evaluate(() => {
      const w = window as unknown as { __firstRows?: FirstRows | null; __clickedAt?: number };
      w.__firstRows = null;
      document.addEventListener('click', (event) => {
        if ((event.target as HTMLElement).closest('[data-testid="generate"]')) w.__clickedAt = performance.now();
      }, true);
      const observer = new MutationObserver(() => {
        const view = document.querySelector('[role="tabpanel"]:not([hidden]) [data-testid="run-view"]');
        const first = view?.querySelector('.ag-row[row-index="0"] .ag-cell[col-id="c0"]');
        if (!view || !first?.textContent) return;
        const progress = view.querySelector<HTMLElement>('[data-testid="run-progress"]');
        w.__firstRows = {
          afterMs: performance.now() - (w.__clickedAt ?? 0),
          status: progress?.dataset.status ?? '',
          rowsCached: Number(progress?.dataset.rowsCached ?? -1),
        };
        observer.disconnect();
      });
      observer.observe(document.body, { subtree: true, childList: true, characterData: true });
    });

    await generateDataset(page, 'public.orders', 'Orders 100k');
    const readFirstRows = () => page.evaluate(() => (window as unknown as { __firstRows: FirstRows | null }).__firstRows);
    await expect.poll(readFirstRows, { timeout: 10_000, interval: 50 }).toBeTruthy();
    const firstRows = (await readFirstRows()) as FirstRows;
    expect(firstRows.status, 'rows were on screen while the report was still running').toMatch(/queued|running/);
    expect(firstRows.rowsCached).toBeLessThan(ROWS);
    expect(firstRows.afterMs, 'first rows within 2 s of Generate').toBeLessThan(2000);

    await waitForRunStatus(page, 'completed', 90_000);
    const run = activeRun(page);
    await expect.poll(() => run.getByTestId('run-percent').textContent()).toBe('100%');
    await expect.poll(() => run.getByTestId('run-rows').textContent()).toBe('100,000 of 100,000 rows');
    await expect.poll(() => gridRowCount(page), { timeout: 10_000 }).toBe(ROWS);
    await expect.poll(() => cell(page, 0, 0).textContent()).toBe('1');
    // Numbers right-aligned, NULL drawn apart from text.
    expect(await cell(page, 0, 2).getAttribute('class')).toContain('ag-right-aligned-cell');
    await expect.poll(() => cell(page, 9, 4).locator('.cell-null').textContent()).toBe('NULL');
    await screenshot(page, 'completed');
    expect(ui.app.pageErrors).toEqual([]);
  });

  it('sorts and filters in the cache from the column headers', async () => {
    const { page } = ui.app;
    const idHeader = activeRun(page).locator('.ag-header-cell[col-id="c0"]');
    await idHeader.locator('.ag-header-cell-label').click();
    await idHeader.locator('.ag-header-cell-label').click();
    await expect.poll(() => cell(page, 0, 0).textContent(), { timeout: 10_000 }).toBe(String(ROWS));
    await idHeader.locator('.ag-header-cell-label').click();
    await expect.poll(() => cell(page, 0, 0).textContent(), { timeout: 10_000 }).toBe('1');

    // A text filter from the header: "customer" contains "customer 5".
    const { rows } = await db.sql(`SELECT count(*)::int AS n FROM orders WHERE customer LIKE '%customer 5%'`);
    const customerHeader = activeRun(page).locator('.ag-header-cell[col-id="c1"]');
    await customerHeader.hover();
    await customerHeader.locator('.ag-header-cell-filter-button, .ag-header-icon.ag-header-cell-menu-button').first().click();
    const filter = page.locator('.ag-filter');
    await filter.locator('input.ag-input-field-input:not([disabled])').first().fill('customer 5');
    await filter.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => gridRowCount(page), { timeout: 10_000 }).toBe(rows[0].n);
    expect(await activeRun(page).getByTestId('grid-row-count').textContent()).toContain('matching rows');
    await expect.poll(() => cell(page, 0, 1).textContent()).toBe('customer 5');

    await customerHeader.locator('.ag-header-cell-filter-button, .ag-header-icon.ag-header-cell-menu-button').first().click();
    await page.locator('.ag-filter').getByRole('button', { name: 'Reset' }).click();
    await expect.poll(() => gridRowCount(page), { timeout: 10_000 }).toBe(ROWS);
  });

  it('exports the report to a CSV file with every row', async () => {
    const { page } = ui.app;
    await activeRun(page).getByTestId('export-run').click();
    const dialog = page.getByTestId('export-dialog');
    await dialog.getByTestId('export-format-csv').check();
    await dialog.getByTestId('export-start').click();
    await expect.poll(() => dialog.getByTestId('export-status').getAttribute('data-status'), { timeout: 60_000 }).toBe('completed');
    const path = (await dialog.getByTestId('export-path').textContent()) ?? '';
    expect(path).toMatch(/\.csv$/);
    expect(await dialog.getByTestId('export-rows').textContent()).toBe('100,000 of 100,000 rows');

    const lines = readFileSync(path, 'utf8').split(/\r?\n/).filter((line) => line !== '');
    expect(lines).toHaveLength(ROWS + 1);
    expect(lines[0]).toBe('id,customer,amount,created_at,note,padding');
    const { rows } = await db.sql(`SELECT md5('1') AS note1, repeat(md5('7'), 3) AS pad1, repeat(md5('70'), 3) AS pad10`);
    expect(lines[1]).toBe(`1,customer 1,1.37,2024-01-01 00:01:00,${rows[0].note1},${rows[0].pad1}`);
    // NULL is an empty field, as COPY … csv writes it.
    expect(lines[10]).toBe(`10,customer 10,13.70,2024-01-01 00:10:00,,${rows[0].pad10}`);
    expect(lines[ROWS]?.startsWith(`${ROWS},`)).toBe(true);
    await dialog.getByTestId('export-close').click();
    expect(ui.app.pageErrors).toEqual([]);
  });
});
