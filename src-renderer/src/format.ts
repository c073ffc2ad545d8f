// Numbers, durations and dates as the analyst reads them.
import type { RunProgress, RunStatus, SourceRef } from '../../src-preload/contract.ts';

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export const formatCount = (n: number): string => integer.format(n);
export const formatCompact = (n: number): string => compact.format(n);

export function formatDuration(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const whole = Math.round(seconds);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}

export function formatEta(seconds: number | null): string {
  if (seconds == null || !Number.isFinite(seconds)) return '—';
  return formatDuration(seconds * 1000);
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
}

/** "12,000 of 100,000 rows", marking an estimate until the exact count arrives. */
export function rowsOfTotal(progress: RunProgress): string {
  const cached = formatCount(progress.rowsCached);
  if (progress.totalRows == null) return `${cached} rows`;
  const total = formatCount(progress.totalRows);
  return progress.totalIsExact ? `${cached} of ${total} rows` : `${cached} of ~${total} rows (estimated)`;
}

export const STATUS_LABEL: Record<RunStatus, string> = {
  queued: 'Queued',
  running: 'Running',
  completed: 'Completed',
  cancelled: 'Cancelled',
  failed: 'Failed',
  interrupted: 'Interrupted',
};

export const isActive = (status: RunStatus): boolean => status === 'running' || status === 'queued';
export const isResumableStatus = (status: RunStatus): boolean =>
  status === 'cancelled' || status === 'failed' || status === 'interrupted';

export function sourceKey(ref: SourceRef): string {
  switch (ref.type) {
    case 'demo':
      return 'demo';
    case 'sqlite':
      return `sqlite:${ref.path}`;
    case 'postgres':
      return `postgres:${ref.profileId}`;
  }
}
