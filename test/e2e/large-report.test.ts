// A 1,000,000-row report: cancel mid-run keeps the rows so far (partial),
// resume fetches the rest exactly, and scrolling to its last row keeps the
// window's JS heap under 150 MB because the grid holds only a few blocks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import {
  activeRun,
  cell,
  generateDataset,
  gridRowCount,
  jsHeapUsedMB,
  openAppSession,
  rowsCached,
  screenshot,
  selectSource,
  waitForRunStatus,
  type AppSession,
} from './support/ui.ts';

const ROWS = 1_000_000;
const HEAP_LIMIT_MB = 150;

describe('a 1,000,000-row report in the window', () => {
  let db: TestDatabase;
  let ui: AppSession;

  beforeAll(async () => {
    db = await createTestDatabase('e2e_large');
    await db.sql(`
      CREATE TABLE events AS
      SELECT g AS id, md5(g::text) AS code, g % 1000 AS bucket, (g * 0.5)::numeric(14, 1) AS score
      FROM generate_series(1, ${ROWS}) g`);
    await db.sql(`ALTER TABLE events ADD PRIMARY KEY (id)`);
    await db.sql(`ANALYZE events`);
    ui = await openAppSession([{ url: db.url, name: 'Events (e2e)' }]);
  }, 180_000);

  afterAll(async () => {
    await ui?.close();
    await db?.drop();
  });

  it('cancel mid-run keeps the rows so far, visible and marked partial', async () => {
    const { page } = ui.app;
    await selectSource(page, 'Events (e2e)');
    await generateDataset(page, 'public.events', 'Events 1M');
    await expect.poll(() => rowsCached(page), { timeout: 20_000, interval: 50 }).toBeGreaterThan(0);
    await expect.poll(() => cell(page, 0, 0).textContent(), { timeout: 10_000 }).toBe('1');
    await screenshot(page, 'running');

    // Esc cancels; a run past 10 s asks first.
    await page.keyboard.press('Escape');
    const confirm = page.getByTestId('confirm-dialog');
    if (await confirm.isVisible()) await confirm.getByTestId('confirm-button').click();
    await waitForRunStatus(page, 'cancelled', 30_000);

    const kept = await rowsCached(page);
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(ROWS);
    await expect.poll(() => activeRun(page).getByTestId('partial-badge').isVisible()).toBe(true);
    await expect.poll(() => gridRowCount(page), { timeout: 10_000 }).toBe(kept);
    await expect.poll(() => cell(page, 0, 0).textContent()).toBe('1');
    await screenshot(page, 'cancelled');

    await page.getByTestId('sidebar-tab-library').click();
    const item = page.locator('[data-testid="library-item"]', { hasText: 'Events 1M' });
    await expect.poll(() => item.getAttribute('data-status')).toBe('cancelled');
    expect(ui.app.pageErrors).toEqual([]);
  }, 120_000);

  it('resume fetches the rest, to exactly 1,000,000 rows', async () => {
    const { page } = ui.app;
    const before = await rowsCached(page);
    await activeRun(page).getByTestId('resume-run').click();
    await expect.poll(() => activeRun(page).getAttribute('data-status'), { timeout: 10_000, interval: 50 }).toMatch(/queued|running|completed/);
    await waitForRunStatus(page, 'completed', 240_000);
    expect(await rowsCached(page)).toBe(ROWS);
    expect(before).toBeLessThan(ROWS);
    await expect.poll(() => activeRun(page).getByTestId('run-rows').textContent()).toBe('1,000,000 of 1,000,000 rows');
    await expect.poll(() => activeRun(page).getByTestId('run-percent').textContent()).toBe('100%');
    await expect.poll(() => gridRowCount(page), { timeout: 10_000 }).toBe(ROWS);
    await expect.poll(() => activeRun(page).getByTestId('partial-badge').count()).toBe(0);
  }, 300_000);

  it('scrolls to the last row with the JS heap under 150 MB', async () => {
    const { page } = ui.app;
    const viewport = activeRun(page).locator('.ag-grid-viewport');
    const heap: number[] = [await jsHeapUsedMB(page)];
    // Jump through the report, as a person dragging the scrollbar would, then to the end.
    for (const fraction of [0.1, 0.25, 0.4, 0.55, 0.7, 0.85, 1]) {
      await viewport.evaluate((element, f) => {
        element.scrollTop = (element.scrollHeight - element.clientHeight) * f;
      }, fraction);
      await page.waitForTimeout(250);
      heap.push(await jsHeapUsedMB(page));
    }
    await expect.poll(() => cell(page, ROWS - 1, 0).textContent(), { timeout: 20_000 }).toBe(String(ROWS));
    expect(await activeRun(page).locator(`.ag-row[row-index="${ROWS - 1}"] .ag-cell[col-id="rownum"]`).first().textContent()).toBe(String(ROWS));
    heap.push(await jsHeapUsedMB(page));
    console.info(`JS heap while scrolling 1,000,000 rows (MB): ${heap.map((h) => h.toFixed(1)).join(', ')}`);
    expect(Math.max(...heap), `JS heap samples (MB): ${heap.map((h) => h.toFixed(1)).join(', ')}`).toBeLessThan(HEAP_LIMIT_MB);
    // Only a few blocks of the report live in the window at once.
    expect(await activeRun(page).locator('.ag-row').count()).toBeLessThan(200);
    expect(ui.app.pageErrors).toEqual([]);
  }, 120_000);
});
