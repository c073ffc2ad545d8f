// SQL mode of the report builder against a real PostgreSQL: the statement's
// columns are checked without running it, the column, filter, sort and key
// pickers offer them, and the report holds exactly the rows the database gives.
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import {
  activeRun,
  gridRowCount,
  openAppSession,
  screenshot,
  selectSource,
  waitForRunStatus,
  type AppSession,
} from './support/ui.ts';

const STATEMENT = 'select id, region, amount, amount * 2 as doubled, note from orders';

const builder = (page: Page): Locator => page.getByTestId('report-builder');

/** The names the checkboxes of a column group offer, in order. */
const offered = (group: Locator): Promise<string[]> => group.locator('label.check .truncate').allTextContents();

function checkbox(group: Locator, column: string): Locator {
  return group.locator('label.check', { has: group.page().locator('.truncate', { hasText: new RegExp(`^${column}$`) }) }).locator('input');
}

/** Every cell of the report on screen, as text, with its header names. */
async function gridContent(page: Page): Promise<{ headers: string[]; rows: string[][] }> {
  return activeRun(page).evaluate((view) => {
    const headers = [...view.querySelectorAll('.ag-header-cell[col-id^="c"] .ag-header-cell-text')].map((h) => h.textContent ?? '');
    const rows: string[][] = [];
    headers.forEach((_, column) => {
      for (const cell of view.querySelectorAll(`.ag-row[row-index] .ag-cell[col-id="c${column}"]`)) {
        const index = Number(cell.closest('.ag-row')?.getAttribute('row-index'));
        (rows[index] ??= [])[column] = cell.textContent ?? '';
      }
    });
    return { headers, rows };
  });
}

describe('a SQL report built from the columns of its statement', () => {
  let db: TestDatabase;
  let ui: AppSession;
  const describeCalls: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('e2e_sql_builder');
    // Stored in descending id order, so that rows tied on the sort come back by id only when the key orders them.
    await db.sql(`
      CREATE TABLE orders AS
      SELECT g AS id,
             (ARRAY['north', 'east', 'south', 'west'])[1 + g % 4] AS region,
             (g % 10) * 10 AS amount,
             'note ' || g AS note
      FROM generate_series(1, 100) g
      ORDER BY g DESC`);
    ui = await openAppSession([{ url: db.url, name: 'Warehouse (e2e)' }]);
    ui.app.page.on('request', (request) => {
      if (request.url().endsWith('/api/describeSql')) describeCalls.push(request.postData() ?? '');
    });
    await selectSource(ui.app.page, 'Warehouse (e2e)');
  });

  afterAll(async () => {
    await ui?.close();
    await db?.drop();
  });

  it('checks the columns, then generates with the columns, filters, sort and key picked from them', async () => {
    const { page } = ui.app;
    await page.getByTestId('new-report').click();
    await page.locator('label:has([data-testid="mode-sql"])').click();
    await page.getByTestId('builder-sql').fill(STATEMENT);
    await builder(page).getByTestId('describe-sql').click();
    await expect.poll(() => builder(page).getByTestId('sql-check-status').textContent(), { timeout: 10_000 }).toBe('5 columns.');

    const columnPicker = builder(page).getByTestId('column-picker');
    expect(await offered(columnPicker)).toEqual(['id', 'region', 'amount', 'doubled', 'note']);
    expect(await columnPicker.locator('.column-type').allTextContents()).toEqual(['integer', 'text', 'integer', 'integer', 'text']);
    const keyPicker = builder(page).getByTestId('key-picker');
    expect(await keyPicker.getByTestId('key-status').textContent()).toContain('No key: this report cannot resume');

    for (const column of ['id', 'region', 'doubled']) await checkbox(columnPicker, column).check();
    await builder(page).getByTestId('add-filter').click();
    await builder(page).getByLabel('Filter 1 column').selectOption('region');
    await builder(page).getByLabel('Filter 1 value').fill('north');
    await builder(page).getByTestId('add-filter').click();
    await builder(page).getByLabel('Filter 2 column').selectOption('doubled');
    await builder(page).getByLabel('Filter 2 operator').selectOption('>=');
    await builder(page).getByLabel('Filter 2 value').fill('120');
    await builder(page).getByRole('button', { name: '+ Add sort' }).click();
    await builder(page).getByLabel('Sort 1 column').selectOption('doubled');
    await builder(page).getByLabel('Sort 1 direction').selectOption('desc');
    await checkbox(keyPicker, 'id').check();
    expect(await keyPicker.getByTestId('key-status').textContent()).toContain('Resumes by id');
    await page.getByTestId('builder-name').fill('North, big orders');
    await screenshot(page, 'sql-builder-picks');
    await page.getByTestId('builder-sql').press('Control+Enter');

    await waitForRunStatus(page, 'completed');
    const expected = await db.textRows(`SELECT id, region, amount * 2 AS doubled FROM orders WHERE region = 'north' AND amount * 2 >= 120 ORDER BY doubled DESC, id`);
    expect(new Set(expected.map(([, , doubled]) => doubled)).size, 'rows of two sort values, tied within each').toBe(2);
    await expect.poll(() => gridRowCount(page), { timeout: 10_000 }).toBe(expected.length);
    await expect.poll(() => gridContent(page), { timeout: 10_000 }).toEqual({ headers: ['id', 'region', 'doubled'], rows: expected });
    expect(await activeRun(page).locator('.run-meta').textContent()).toContain('key doubled, id');
    const [run] = await ui.host.service.listRuns();
    expect(run?.resumable).toBe(true);
    expect(run?.definition.key).toEqual(['id']);
    expect(ui.app.pageErrors).toEqual([]);
  });

  it('checks an edited statement once typing pauses, and drops picks of columns it no longer returns', async () => {
    const { page } = ui.app;
    await page.getByTestId('new-report').click();
    const sql = page.getByTestId('builder-sql');
    await sql.fill('');
    describeCalls.length = 0;
    await sql.pressSequentially('select id, region, note from orders', { delay: 25 });
    await expect.poll(() => builder(page).getByTestId('sql-check-status').textContent(), { timeout: 10_000 }).toBe('3 columns.');
    expect(describeCalls, 'one check after typing, not one per keystroke').toHaveLength(1);

    expect(await builder(page).getByTestId('dropped-picks').textContent()).toContain('no longer returns doubled');
    const columnPicker = builder(page).getByTestId('column-picker');
    expect(await offered(columnPicker)).toEqual(['id', 'region', 'note']);
    expect(await columnPicker.locator('input:checked').count()).toBe(2);
    expect(await builder(page).getByTestId('filter-row').count()).toBe(1);
    expect(await builder(page).getByLabel('Filter 1 column').inputValue()).toBe('region');
    expect(await builder(page).getByLabel('Sort 1 column').count()).toBe(0);
    expect(await checkbox(builder(page).getByTestId('key-picker'), 'id').isChecked()).toBe(true);
  });

  it('shows why a statement that writes cannot be checked, and runs none of it', async () => {
    const { page } = ui.app;
    await page.getByTestId('builder-sql').fill('delete from orders');
    await builder(page).getByTestId('describe-sql').click();
    const error = builder(page).locator('[data-testid="error-message"][data-kind="WriteNotAllowed"]');
    await expect.poll(() => error.isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await error.locator('.error-title').textContent()).toBe('Reports are read-only');
    expect(await error.locator('.error-detail').textContent()).toContain('"DELETE" would change the database');
    const { rows } = await db.sql('SELECT count(*)::int AS n FROM orders');
    expect(rows[0].n).toBe(100);
  });

  it('names a missing table as a table, not as a dataset', async () => {
    const { page } = ui.app;
    await page.getByTestId('builder-sql').fill('select * from no_such_table');
    await builder(page).getByTestId('describe-sql').click();
    const error = builder(page).locator('[data-testid="error-message"][data-kind="NotFound"]');
    await expect.poll(() => error.isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await error.locator('.error-title').textContent()).toBe('Table or view not found');
    expect(await error.locator('.error-detail').textContent()).toContain('relation "no_such_table" does not exist');
  });
});
