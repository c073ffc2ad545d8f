// The report's rows, read block by block from the cache through the contract:
// the window holds only the blocks on screen, whatever the report's size.
import { useEffect, useMemo, useRef } from 'react';
import { AgGridReact } from 'ag-grid-react';
import type { GridApi, GridReadyEvent, IDatasource, IGetRowsParams } from 'ag-grid-community';
import type { AppError, RunSummary } from '../../../src-preload/contract.ts';
import { api } from '../api.ts';
import { isActive } from '../format.ts';
import { gridTheme } from './ag-setup.ts';
import { columnDefOf, rowNumberColumn, type GridRow } from './column-defs.ts';
import { toFilters, toSortKeys } from './query-model.ts';

/** What the last block told about the rows behind the grid. */
export interface GridPageInfo {
  rowCount: number;
  final: boolean;
  filtered: boolean;
}

interface ReportGridProps {
  run: RunSummary;
  onPageInfo: (info: GridPageInfo) => void;
  onError: (error: AppError) => void;
}

/** How often a running report's visible blocks are re-read as rows arrive. */
const REFRESH_MS = 500;
const BLOCK_SIZE = 100;

export function ReportGrid({ run, onPageInfo, onError }: ReportGridProps) {
  const gridApi = useRef<GridApi<GridRow> | null>(null);
  const lastRefresh = useRef(0);
  /** Row count of the last block read; -1 before the first. */
  const shownRows = useRef(-1);
  const columns = useRef(run.columns);
  columns.current = run.columns;
  const callbacks = useRef({ onPageInfo, onError });
  callbacks.current = { onPageInfo, onError };

  const columnSignature = run.columns.map((c) => `${c.name}:${c.kind}`).join('|');
  const digits = String(Math.max(run.progress.rowsCached, run.progress.totalRows ?? 0)).length;
  const columnDefs = useMemo(
    () => [rowNumberColumn(10 ** digits), ...run.columns.map(columnDefOf)],
    // Rebuilt only when the columns themselves change, not on every summary.
    [columnSignature, digits],
  );

  const runId = run.runId;
  const datasource = useMemo<IDatasource>(
    () => ({
      getRows(params: IGetRowsParams) {
        const sort = toSortKeys(params.sortModel, columns.current);
        const filter = toFilters(params.filterModel, columns.current);
        void api
          .getRows({
            runId,
            start: params.startRow,
            end: params.endRow,
            ...(sort.length > 0 ? { sort } : {}),
            ...(filter.length > 0 ? { filter } : {}),
          })
          .then((page) => {
            if (!page.ok) {
              params.failCallback();
              callbacks.current.onError(page.error);
              return;
            }
            shownRows.current = page.value.rowCount;
            params.successCallback(page.value.rows, page.value.rowCount);
            callbacks.current.onPageInfo({
              rowCount: page.value.rowCount,
              final: page.value.final,
              filtered: filter.length > 0,
            });
          });
      },
    }),
    [runId],
  );

  // While rows arrive, re-read the blocks on screen at most every REFRESH_MS; the
  // answer carries the new row count, so the grid grows without losing its place.
  const { rowsCached } = run.progress;
  const { status } = run;
  useEffect(() => {
    const grid = gridApi.current;
    if (!grid) return;
    // The first rows are shown at once; after that, at most one re-read per REFRESH_MS.
    const wait = shownRows.current === 0 && rowsCached > 0 ? 0 : Math.max(0, lastRefresh.current + REFRESH_MS - Date.now());
    const timer = setTimeout(() => {
      lastRefresh.current = Date.now();
      if (!grid.isDestroyed()) grid.refreshInfiniteCache();
    }, wait);
    return () => clearTimeout(timer);
  }, [rowsCached, status]);

  const onGridReady = (event: GridReadyEvent<GridRow>) => {
    gridApi.current = event.api;
    lastRefresh.current = Date.now();
  };

  return (
    <div className="report-grid" data-testid="report-grid" data-active={isActive(status) ? 'true' : 'false'}>
      <AgGridReact<GridRow>
        theme={gridTheme}
        rowModelType="infinite"
        datasource={datasource}
        columnDefs={columnDefs}
        defaultColDef={{ resizable: true }}
        cacheBlockSize={BLOCK_SIZE}
        maxBlocksInCache={20}
        maxConcurrentDatasourceRequests={2}
        blockLoadDebounceMillis={50}
        infiniteInitialRowCount={1}
        enableCellTextSelection
        suppressNoRowsOverlay
        tooltipShowDelay={400}
        onGridReady={onGridReady}
      />
    </div>
  );
}
