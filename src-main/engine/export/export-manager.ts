// Exports of cached runs to CSV and Excel. (Placeholder until the export
// module lands: every call says so plainly.)
import type { AppEvent, ExportRequest, ExportSummary } from '../../../src-preload/contract.ts';
import type { Library, RunRecord } from '../cache/library.ts';
import { ReportError } from '../errors.ts';

export interface ExportDeps {
  library: Library;
  /** The library record of a run; throws NotFound for an unknown id. */
  runFile: (runId: string) => RunRecord;
  isRunActive: (runId: string) => boolean;
  emit: (event: AppEvent) => void;
}

export class ExportManager {
  constructor(private readonly deps: ExportDeps) {}

  async start(request: ExportRequest): Promise<ExportSummary> {
    this.deps.runFile(request.runId);
    throw new ReportError('Unsupported', 'Export is not available yet.');
  }

  async cancel(exportId: string): Promise<ExportSummary> {
    throw new ReportError('NotFound', `There is no export with id ${exportId}.`);
  }

  list(runId?: string): ExportSummary[] {
    return this.deps.library.listExports(runId);
  }

  /** Cancels the exports of a run that is being deleted. */
  async cancelForRun(_runId: string): Promise<void> {}

  async close(): Promise<void> {}
}
