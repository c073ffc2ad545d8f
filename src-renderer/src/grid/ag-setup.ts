// AG Grid, community modules only: the Infinite Row Model and the two filters
// the cache understands. The theme takes its colours from the app's CSS custom
// properties, so light and dark follow the system with the rest of the window.
import {
  CellStyleModule,
  InfiniteRowModelModule,
  ModuleRegistry,
  NumberFilterModule,
  TextFilterModule,
  TooltipModule,
  themeQuartz,
} from 'ag-grid-community';

ModuleRegistry.registerModules([CellStyleModule, InfiniteRowModelModule, TextFilterModule, NumberFilterModule, TooltipModule]);

export const gridTheme = themeQuartz.withParams({
  fontFamily: 'inherit',
  fontSize: 13,
  headerFontSize: 12,
  headerFontWeight: 600,
  spacing: 5,
  rowHeight: 30,
  headerHeight: 34,
  wrapperBorderRadius: 0,
  wrapperBorder: false,
  browserColorScheme: 'inherit',
  backgroundColor: 'var(--rs-surface)',
  foregroundColor: 'var(--rs-text)',
  accentColor: 'var(--rs-accent)',
  borderColor: 'var(--rs-border)',
  chromeBackgroundColor: 'var(--rs-surface-2)',
  headerBackgroundColor: 'var(--rs-surface-2)',
  oddRowBackgroundColor: 'var(--rs-row-alt)',
  rowHoverColor: 'var(--rs-row-hover)',
});
