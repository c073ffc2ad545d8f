// One grid column per report column: numbers right-aligned and filtered as
// numbers, NULL drawn by NullCell, every value shown as text.
import type { ColDef, ValueGetterParams } from 'ag-grid-community';
import type { CellValue, ColumnInfo } from '../../../src-preload/contract.ts';
import { NullCell } from './NullCell.tsx';
import { colIdOf, NUMBER_FILTER_OPTIONS, TEXT_FILTER_OPTIONS } from './query-model.ts';

export type GridRow = CellValue[];

const isNumeric = (column: ColumnInfo): boolean => column.kind === 'integer' || column.kind === 'number';
const growsWithGrid = (column: ColumnInfo): boolean => column.kind === 'text' || column.kind === 'json' || column.kind === 'other';

/** Room for the name plus the header's sort and filter icons. */
function widthOf(column: ColumnInfo): number {
  const header = column.name.length * 8 + 72;
  switch (column.kind) {
    case 'integer':
    case 'boolean':
      return Math.max(96, header);
    case 'number':
    case 'date':
      return Math.max(120, header);
    case 'timestamp':
      return Math.max(250, header);
    default:
      return Math.max(150, Math.min(320, header));
  }
}

export function rowNumberColumn(rowCount: number): ColDef<GridRow> {
  return {
    colId: 'rownum',
    headerName: '#',
    valueGetter: (params: ValueGetterParams<GridRow>) => (params.data && params.node?.rowIndex != null ? params.node.rowIndex + 1 : ''),
    width: Math.max(56, String(rowCount).length * 8 + 28),
    sortable: false,
    filter: false,
    resizable: false,
    suppressMovable: true,
    type: 'rightAligned',
    cellClass: 'cell-rownum',
  };
}

export function columnDefOf(column: ColumnInfo, index: number): ColDef<GridRow> {
  const numeric = isNumeric(column);
  return {
    colId: colIdOf(index),
    headerName: column.name,
    headerTooltip: `${column.name} · ${column.type}${column.nullable ? '' : ' · not null'}`,
    valueGetter: (params: ValueGetterParams<GridRow>) => params.data?.[index],
    cellRendererSelector: (params) => (params.data && params.value === null ? { component: NullCell } : undefined),
    sortable: true,
    filter: numeric ? 'agNumberColumnFilter' : 'agTextColumnFilter',
    filterParams: {
      filterOptions: numeric ? NUMBER_FILTER_OPTIONS : TEXT_FILTER_OPTIONS,
      maxNumConditions: 1,
      buttons: ['reset', 'apply'],
      closeOnApply: true,
    },
    // Text takes the room left over; numbers and dates keep their width.
    ...(growsWithGrid(column) ? { flex: 1, minWidth: widthOf(column), maxWidth: 640 } : { width: widthOf(column), minWidth: 70 }),
    // Long text is cut with an ellipsis; the tooltip (rendered as text) shows it whole.
    tooltipValueGetter: (params) => (typeof params.value === 'string' && params.value.length > 24 ? params.value.slice(0, 2000) : null),
    ...(numeric ? { type: 'rightAligned' } : {}),
  };
}
