// Export a saved report to CSV or Excel: options, a save dialog, progress with
// cancel, then the file's place and any warnings in plain words.
import { useState } from 'react';
import type { AppError, ExportFormat, RunSummary } from '../../../src-preload/contract.ts';
import { api, exportDownloadUrl } from '../api.ts';
import { formatCount, formatDuration, formatEta } from '../format.ts';
import { cancelExport, pushNotice, startExport } from '../state/actions.ts';
import { useAppState } from '../state/store.ts';
import { Dialog } from './Dialog.tsx';
import { ErrorMessage } from './ErrorMessage.tsx';

const EXTENSION: Record<ExportFormat, string> = { csv: 'csv', xlsx: 'xlsx' };

function fileNameOf(name: string, format: ExportFormat): string {
  // Characters no file system takes in a name (control characters included).
  const safe = Array.from(name, (ch) => (ch < ' ' || '\\/:*?"<>|'.includes(ch) ? ' ' : ch)).join('');
  const base = safe.replace(/\s+/g, ' ').trim() || 'report';
  return `${base}.${EXTENSION[format]}`;
}

export function ExportDialog({ run, onClose }: { run: RunSummary; onClose: () => void }) {
  const [format, setFormat] = useState<ExportFormat>('csv');
  const [bom, setBom] = useState(false);
  const [formulaGuard, setFormulaGuard] = useState(true);
  const [exportId, setExportId] = useState<string | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState(false);
  const current = useAppState((s) => (exportId ? s.exports[exportId] : undefined));
  const partialRun = run.status !== 'completed';
  // The browser host cannot open a file manager; it offers the file as a download instead.
  const downloadUrl = current?.status === 'completed' ? exportDownloadUrl(current.path) : null;

  async function begin(): Promise<void> {
    setBusy(true);
    setError(null);
    const path = await api.chooseExportPath({ suggestedName: fileNameOf(run.name, format), format });
    if (!path.ok) {
      setBusy(false);
      setError(path.error);
      return;
    }
    if (path.value === null) {
      setBusy(false);
      return;
    }
    const started = await startExport({ runId: run.runId, path: path.value, format, bom: format === 'csv' && bom, formulaGuard });
    setBusy(false);
    if (started.ok) setExportId(started.value.exportId);
    else setError(started.error);
  }

  async function showInFolder(path: string): Promise<void> {
    const shown = await api.showInFolder({ path });
    if (!shown.ok) pushNotice('Could not open the folder.', shown.error);
  }

  return (
    <Dialog open title={`Export “${run.name}”`} onClose={onClose} testId="export-dialog">
      {!current ? (
        <div className="form">
          <fieldset className="choice-group">
            <legend>Format</legend>
            <label className="check">
              <input type="radio" name="format" value="csv" checked={format === 'csv'} onChange={() => setFormat('csv')} data-testid="export-format-csv" />
              <span>CSV (UTF-8, same text as PostgreSQL's COPY)</span>
            </label>
            <label className="check">
              <input type="radio" name="format" value="xlsx" checked={format === 'xlsx'} onChange={() => setFormat('xlsx')} data-testid="export-format-xlsx" />
              <span>Excel workbook (.xlsx; split into sheets past 1,048,576 rows)</span>
            </label>
          </fieldset>
          <fieldset className="choice-group">
            <legend>Options</legend>
            <label className="check">
              <input type="checkbox" checked={bom} disabled={format !== 'csv'} onChange={(e) => setBom(e.target.checked)} data-testid="export-bom" />
              <span>Byte order mark, so Excel opens the CSV as UTF-8</span>
            </label>
            <label className="check">
              <input type="checkbox" checked={formulaGuard} onChange={(e) => setFormulaGuard(e.target.checked)} data-testid="export-formula-guard" />
              <span>Guard against formulas (text starting with = + - @ is written as text)</span>
            </label>
          </fieldset>
          {partialRun ? (
            <p className="warning" role="note">
              This report is {run.status}: the file will hold the {formatCount(run.progress.rowsCached)} rows saved so far.
            </p>
          ) : null}
          {error ? <ErrorMessage error={error} /> : null}
          <div className="dialog-actions">
            <button type="button" className="button" onClick={onClose}>
              Close
            </button>
            <button type="button" className="button button-primary" disabled={busy} data-testid="export-start" onClick={() => void begin()}>
              {busy ? 'Choosing a file…' : 'Export…'}
            </button>
          </div>
        </div>
      ) : (
        <div className="form" data-testid="export-status" data-status={current.status}>
          <p className="export-path">
            <span className="hint">File</span>
            <code data-testid="export-path">{current.path}</code>
          </p>
          <div
            className={current.status === 'running' ? 'progress-track' : `progress-track done-${current.status}`}
            role="progressbar"
            aria-label="Export progress"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={Math.floor(current.progress.percent)}
          >
            <div className="progress-fill" style={{ width: `${Math.min(100, current.progress.percent)}%` }} />
          </div>
          <p className="progress-meta">
            <span data-testid="export-rows">
              {formatCount(current.rowsWritten || current.progress.rowsWritten)} of {formatCount(current.rowsExpected)} rows
            </span>
            {current.status === 'running' ? (
              <>
                <span>{formatCount(Math.round(current.progress.rowsPerSec))} rows/s</span>
                <span>ETA {formatEta(current.progress.etaSeconds)}</span>
              </>
            ) : (
              <span>
                {current.status === 'completed' ? 'Done' : current.status === 'cancelled' ? 'Cancelled' : 'Failed'}
                {current.ms != null ? ` in ${formatDuration(current.ms)}` : ''}
                {current.sheets > 1 ? ` · ${current.sheets} sheets` : ''}
              </span>
            )}
          </p>
          {current.partial ? (
            <p className="warning" role="note" data-testid="export-partial">
              <span className="badge badge-partial">Partial</span> The report was not complete: this file holds the rows saved so far.
            </p>
          ) : null}
          {current.warnings.length > 0 ? (
            <ul className="warnings" data-testid="export-warnings" aria-label="Warnings">
              {current.warnings.map((warning) => (
                <li key={warning}>{warning}</li>
              ))}
            </ul>
          ) : null}
          {current.error ? <ErrorMessage error={current.error} /> : null}
          <div className="dialog-actions">
            {current.status === 'running' ? (
              <button type="button" className="button button-danger" data-testid="export-cancel" onClick={() => void cancelExport(current.exportId)}>
                Cancel export
              </button>
            ) : (
              <>
                {current.status === 'completed' && downloadUrl ? (
                  <a className="button" href={downloadUrl} download data-testid="export-download">
                    Download
                  </a>
                ) : null}
                {current.status === 'completed' && !downloadUrl ? (
                  <button type="button" className="button" data-testid="export-show-in-folder" onClick={() => void showInFolder(current.path)}>
                    Show in folder
                  </button>
                ) : null}
                <button type="button" className="button button-primary" data-testid="export-close" onClick={onClose}>
                  Done
                </button>
              </>
            )}
          </div>
        </div>
      )}
    </Dialog>
  );
}
