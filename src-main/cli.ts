// The headless CLI: the same ReportService as the desktop app and the browser
// host, driven from a terminal. Exit codes: 0 completed, 1 failed, 130 cancelled.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ExportSummary, ReportDefinition, RunSummary, SourceRef, SortKey } from '../src-preload/contract.ts';
import { formatExportLine, formatRunLine, printTable, ProgressLine } from './cli-output.ts';
import { ReportError, toAppError } from './engine/errors.ts';
import { defaultCacheDir } from './engine/paths.ts';
import { ReportService } from './engine/service.ts';
import { DEMO_ROWS, ensureDemoDatabase } from './engine/sources/demo.ts';
import { profileFromUrl, redactPassword } from './engine/sources/registry.ts';

const USAGE = `reportstream — stream big reports from PostgreSQL into a local cache

Usage:
  reportstream run --source <postgres-url | file.sqlite | demo> (--dataset NAME | --sql "SELECT …")
                   [--key col,…] [--columns col,…] [--sort col[:desc],…] [--name NAME] [--chunk N]
                   [--out FILE.csv|FILE.xlsx] [--cache DIR] [--json]
  reportstream resume <runId> [--source <postgres-url>] [--out FILE] [--cache DIR] [--json]
  reportstream export <runId> --out FILE.csv|FILE.xlsx [--bom] [--no-formula-guard] [--cache DIR] [--json]
  reportstream list [--cache DIR] [--json]
  reportstream stats [--cache DIR] [--json]
  reportstream demo [--rows N] [--cache DIR]
  reportstream serve [--port N] [--cache DIR]

The cache is --cache DIR, else $REPORTSTREAM_HOME, else the per-OS application data folder.
Passwords: in the URL, or PGPASSWORD. Ctrl+C cancels a run and keeps the rows cached so far.
Exit codes: 0 completed, 1 failed, 130 cancelled.`;

const OPTIONS = {
  source: { type: 'string' },
  dataset: { type: 'string' },
  sql: { type: 'string' },
  key: { type: 'string' },
  columns: { type: 'string' },
  sort: { type: 'string' },
  name: { type: 'string' },
  chunk: { type: 'string' },
  out: { type: 'string' },
  cache: { type: 'string' },
  json: { type: 'boolean' },
  bom: { type: 'boolean' },
  'no-formula-guard': { type: 'boolean' },
  rows: { type: 'string' },
  port: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Flags = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

const EXIT = { completed: 0, failed: 1, cancelled: 130 } as const;

const list = (text: string | undefined): string[] | undefined => text?.split(',').map((s) => s.trim()).filter(Boolean);

function wholeNumber(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new ReportError('InvalidArgument', `${what} must be a whole number above 0 (got "${text}").`);
  return value;
}

/** `--source` as typed: demo, a SQLite file, or a PostgreSQL URL saved as a profile. */
async function resolveSource(service: ReportService, text: string): Promise<SourceRef> {
  if (text === 'demo') return { type: 'demo' };
  if (/^postgres(ql)?:\/\//.test(text)) {
    const input = profileFromUrl(text);
    const same = (await service.listSources()).find(
      (s) => s.profile && s.profile.host === input.host && s.profile.port === input.port && s.profile.database === input.database && s.profile.user === input.user,
    );
    const profile = await service.saveSource({ ...input, ...(same?.profile ? { id: same.profile.id } : {}) });
    return { type: 'postgres', profileId: profile.id };
  }
  if (existsSync(text)) return { type: 'sqlite', path: text };
  throw new ReportError('InvalidArgument', `--source must be a postgres:// URL, an existing SQLite file, or "demo" (got "${redactPassword(text)}").`);
}

function sortOf(text: string | undefined): SortKey[] | undefined {
  return list(text)?.map((part) => {
    const [column, direction] = part.split(':');
    return { column: column as string, direction: direction?.toLowerCase() === 'desc' ? 'desc' : 'asc' };
  });
}

/** Follows a run to its end with a progress line on stderr; Ctrl+C cancels it. */
async function follow(service: ReportService, run: RunSummary): Promise<RunSummary> {
  const bar = new ProgressLine(process.stderr);
  const unsubscribe = service.onEvent((event) => {
    if (event.kind === 'run-progress' && event.runId === run.runId) bar.update(formatRunLine(event.progress));
  });
  let interrupts = 0;
  const onSigint = () => {
    if (++interrupts > 1) process.exit(EXIT.cancelled);
    bar.note('Cancelling… (Ctrl+C again to quit at once)');
    void service.cancelRun({ runId: run.runId }).catch(() => {});
  };
  process.on('SIGINT', onSigint);
  try {
    return await service.waitForRun(run.runId);
  } finally {
    process.off('SIGINT', onSigint);
    unsubscribe();
    bar.done();
  }
}

async function exportRun(service: ReportService, runId: string, out: string, flags: Flags): Promise<ExportSummary> {
  const bar = new ProgressLine(process.stderr);
  const started = await service.startExport({ runId, path: out, bom: flags.bom ?? false, formulaGuard: !flags['no-formula-guard'] });
  const unsubscribe = service.onEvent((event) => {
    if (event.kind === 'export-progress' && event.exportId === started.exportId) bar.update(formatExportLine(event.progress));
  });
  const onSigint = () => void service.cancelExport({ exportId: started.exportId }).catch(() => {});
  process.on('SIGINT', onSigint);
  try {
    return await service.exports.waitFor(started.exportId);
  } finally {
    process.off('SIGINT', onSigint);
    unsubscribe();
    bar.done();
  }
}

const peakRssMB = (): number => Math.round(process.resourceUsage().maxRSS / 1024);

function runJson(run: RunSummary, ms: number): string {
  return JSON.stringify({
    runId: run.runId,
    status: run.status,
    rows: run.progress.rowsCached,
    totalRows: run.progress.totalRows,
    ms,
    firstChunkMs: run.firstChunkMs,
    peakRssMB: peakRssMB(),
  });
}

/** Prints the end of a run and returns its exit code; exports it first when asked. */
async function finishRun(service: ReportService, run: RunSummary, startedAt: number, flags: Flags): Promise<number> {
  const ms = Date.now() - startedAt;
  if (run.status === 'completed' && flags.out) {
    const exported = await exportRun(service, run.runId, flags.out, flags);
    if (exported.status !== 'completed') {
      console.error(`export failed [${exported.error?.kind ?? 'ExportFailed'}]: ${exported.error?.message ?? exported.status}`);
      if (flags.json) console.log(runJson(run, ms));
      return EXIT.failed;
    }
    console.error(`Exported ${exported.rowsWritten.toLocaleString('en-US')} rows to ${exported.path}`);
  }
  if (run.status === 'completed') console.error(`Completed: ${run.progress.rowsCached.toLocaleString('en-US')} rows in ${(ms / 1000).toFixed(2)} s (run ${run.runId})`);
  else if (run.status === 'cancelled') console.error(`Cancelled: ${run.progress.rowsCached.toLocaleString('en-US')} rows kept. Resume with: reportstream resume ${run.runId}`);
  else console.error(`${run.status} [${run.error?.kind ?? 'Internal'}]: ${run.error?.message ?? ''}${run.resumable ? `\nResume with: reportstream resume ${run.runId}` : ''}`);
  if (flags.json) console.log(runJson(run, ms));
  return run.status === 'completed' ? EXIT.completed : run.status === 'cancelled' ? EXIT.cancelled : EXIT.failed;
}

async function withService<T>(flags: Flags, work: (service: ReportService) => Promise<T>): Promise<T> {
  const service = await ReportService.open({ cacheDir: flags.cache ?? defaultCacheDir(), host: 'browser' });
  try {
    return await work(service);
  } finally {
    await service.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const { values: flags, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  const [command, ...rest] = positionals;
  if (flags.help || !command) {
    console.log(USAGE);
    return command || flags.help ? 0 : 1;
  }
  switch (command) {
    case 'run':
      return withService(flags, async (service) => {
        if (!flags.source) throw new ReportError('InvalidArgument', 'run needs --source <postgres-url | file.sqlite | demo>.');
        const definition: ReportDefinition = {
          source: await resolveSource(service, flags.source),
          ...(flags.dataset !== undefined ? { dataset: flags.dataset } : {}),
          ...(flags.sql !== undefined ? { sql: flags.sql } : {}),
          ...(flags.key ? { key: list(flags.key) } : {}),
          ...(flags.columns ? { columns: list(flags.columns) } : {}),
          ...(flags.sort ? { sort: sortOf(flags.sort) } : {}),
          ...(flags.name ? { name: flags.name } : {}),
          ...(flags.chunk ? { chunkSize: wholeNumber(flags.chunk, '--chunk') } : {}),
        };
        const startedAt = Date.now();
        const run = await service.startRun(definition);
        return finishRun(service, await follow(service, run), startedAt, flags);
      });
    case 'resume':
      return withService(flags, async (service) => {
        const runId = rest[0];
        if (!runId) throw new ReportError('InvalidArgument', 'resume needs a run id (see: reportstream list).');
        const saved = await service.getRun({ runId });
        if (flags.source && saved.source.type === 'postgres') {
          const input = profileFromUrl(flags.source);
          await service.saveSource({ ...input, id: saved.source.profileId });
        }
        const startedAt = Date.now();
        const run = await service.resumeRun({ runId }).catch((err: unknown) => {
          // The CLI keeps no password between runs: say how to give it again.
          if (err instanceof ReportError && err.kind === 'AuthFailed' && !flags.source) {
            throw new ReportError('AuthFailed', `${err.message} The CLI does not store passwords: pass the URL again with --source, or set PGPASSWORD.`, { cause: err });
          }
          throw err;
        });
        return finishRun(service, await follow(service, run), startedAt, flags);
      });
    case 'export':
      return withService(flags, async (service) => {
        const runId = rest[0];
        if (!runId || !flags.out) throw new ReportError('InvalidArgument', 'export needs a run id and --out FILE.csv|FILE.xlsx.');
        const result = await exportRun(service, runId, flags.out, flags);
        if (result.status === 'completed') {
          console.error(`Exported ${result.rowsWritten.toLocaleString('en-US')} of ${result.rowsExpected.toLocaleString('en-US')} rows to ${result.path}`);
          for (const warning of result.warnings) console.error(`warning: ${warning}`);
        } else console.error(`export ${result.status} [${result.error?.kind ?? 'ExportFailed'}]: ${result.error?.message ?? ''}`);
        if (flags.json) {
          const { exportId, path, format, rowsExpected, rowsWritten, sheets, warnings, ms } = result;
          console.log(JSON.stringify({ exportId, runId, path, format, rowsExpected, rowsWritten, sheets, warnings, ms, peakRssMB: peakRssMB() }));
        }
        return result.status === 'completed' ? EXIT.completed : result.status === 'cancelled' ? EXIT.cancelled : EXIT.failed;
      });
    case 'list':
      return withService(flags, async (service) => {
        const runs = await service.listRuns();
        if (flags.json) console.log(JSON.stringify(runs));
        else printTable(runs);
        return 0;
      });
    case 'stats':
      return withService(flags, async (service) => {
        const stats = await service.getStats();
        if (flags.json) console.log(JSON.stringify(stats));
        else {
          console.log(`runs ${stats.runs}, completed ${stats.completed}, success rate ${stats.successRate === null ? '—' : `${(stats.successRate * 100).toFixed(1)}%`}`);
          console.log(`average duration ${stats.averageDurationMs === null ? '—' : `${(stats.averageDurationMs / 1000).toFixed(2)} s`}`);
          for (const [kind, count] of Object.entries(stats.failuresByKind)) console.log(`failures ${kind}: ${count}`);
        }
        return 0;
      });
    case 'demo': {
      const cacheDir = flags.cache ?? defaultCacheDir();
      const rows = wholeNumber(flags.rows, '--rows') ?? DEMO_ROWS;
      const path = join(cacheDir, rows === DEMO_ROWS ? 'demo.sqlite' : `demo-${rows}.sqlite`);
      const { mkdirSync } = await import('node:fs');
      mkdirSync(cacheDir, { recursive: true });
      ensureDemoDatabase(path, rows);
      console.log(path);
      console.error(`Demo database with ${rows.toLocaleString('en-US')} orders. Try: reportstream run --source ${rows === DEMO_ROWS ? 'demo' : path} --dataset orders`);
      return 0;
    }
    case 'serve': {
      const { serveCommand } = await import('./server/serve.ts');
      const port = wholeNumber(flags.port, '--port') ?? 0;
      if (port > 65_535) throw new ReportError('InvalidArgument', `--port must be a TCP port from 1 to 65535 (got "${flags.port}").`);
      await serveCommand({ port, cacheDir: flags.cache ?? defaultCacheDir() });
      return 0;
    }
    default:
      console.error(`Unknown command "${command}".\n\n${USAGE}`);
      return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const error = toAppError(err);
    const kind = err instanceof TypeError && /parseArgs|Unknown option|ERR_PARSE_ARGS/.test(String((err as { code?: string }).code ?? err.message)) ? 'InvalidArgument' : error.kind;
    console.error(`error [${kind}]: ${kind === 'InvalidArgument' && !(err instanceof ReportError) ? (err as Error).message : error.message}`);
    process.exitCode = EXIT.failed;
  },
);
