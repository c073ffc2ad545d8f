// File names the hosts propose for an export, the same in a save dialog and in
// the browser host's exports folder. Plain Node.
import type { ExportFormat } from '../src-preload/contract.ts';

/** A file name without path separators or characters that Windows refuses, with the format's extension. */
export function exportFileName(suggestedName: string, format: ExportFormat): string {
  const base = suggestedName
    .replace(/\.(csv|xlsx)$/i, '')
    .replace(/[\\/:*?"<>|\p{Cc}]+/gu, '_')
    .replace(/^[.\s]+|[.\s]+$/g, '')
    .slice(0, 120);
  return `${base || 'report'}.${format}`;
}
