// `npm run bench`: ReportStream side by side with psql and the naive approach,
// each case in its own process for an honest resident peak; `--soak`, `--load`,
// `--pages` and `--profile` modes. Results on stdout, progress on stderr.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { startTestPostgres } from '../support/postgres-server.ts';
import type { CaseTask, Timings } from './cases.ts';
import { ROOT, bundleCase, onPath, psqlCopy, runChild } from './children.ts';
import { benchDatabase, datasetName, ensureDatasets } from './datasets.ts';
import type { LoadResult, ModeTask, PagesResult, SoakResult } from './modes.ts';
import { type BenchOptions, CASE_NAMES, type CaseName, type ProfileTarget, USAGE, parseOptions } from './options.ts';
import { type CpuProfile, printProfile, summarizeProfile } from './profile.ts';
import { type Sample, aggregate, machineNote, printLoad, printPages, printSoak, printTable } from './report.ts';

const log = (line: string): void => void process.stderr.write(`[bench] ${line}\n`);

/** Above this the naive case would hold gigabytes of rows in one process: skipped. */
const NAIVE_MAX_ROWS = 1_000_000;
const SMALL_REPORT_ROWS = 10_000;
const SOAK_RUNS = 100;
const LOAD_USERS = 50;

type WithPeak<T> = T & { peakRssMB: number; cpuMs: number };

interface Bench {
  url: string;
  workDir: string;
  options: BenchOptions;
  psql: string | null;
}

const chunkOf = (bench: Bench): { chunkSize?: number } => (bench.options.chunkSize ? { chunkSize: bench.options.chunkSize } : {});
const isExportOnly = (name: CaseName): name is 'csv' | 'xlsx' => name === 'csv' || name === 'xlsx';
const isCase = (target: ProfileTarget): target is Exclude<CaseName, 'psql'> => (CASE_NAMES as readonly string[]).includes(target);

/** A run cached once per size, for the cases that only export. */
interface Prepared {
  runId: string;
  cacheDir: string;
}

function casesAt(bench: Bench, rows: number): CaseName[] {
  return bench.options.cases.filter((name) => {
    if (name === 'psql' && !bench.psql) return log('psql is not on PATH: the psql case is skipped'), false;
    if (name === 'naive' && rows > NAIVE_MAX_ROWS) return log(`naive at ${rows.toLocaleString('en-US')} rows would hold the whole result in memory: skipped`), false;
    return true;
  });
}

/** Caches one run of `rows` for the export-only cases, in a process of its own. */
async function prepareRun(bench: Bench, rows: number): Promise<Prepared> {
  const cacheDir = join(bench.workDir, `prepared-${rows}`);
  const task: CaseTask = { case: 'prepare', rows, url: bench.url, cacheDir, outPath: '', ...chunkOf(bench) };
  const timings = await runChild<Timings>(task, { tsx: bench.options.tsx });
  return { runId: timings.runId as string, cacheDir };
}

function caseTask(bench: Bench, name: Exclude<CaseName, 'psql'>, rows: number, rep: number, prepared: Prepared | null): CaseTask {
  const outPath = join(bench.workDir, `${name}-${rows}-${rep}.${name === 'xlsx' ? 'xlsx' : 'csv'}`);
  if (isExportOnly(name)) {
    if (!prepared) throw new Error(`The ${name} case exports a cached run; none was prepared.`);
    return { case: name, rows, url: bench.url, cacheDir: prepared.cacheDir, runId: prepared.runId, outPath, ...chunkOf(bench) };
  }
  return { case: name, rows, url: bench.url, cacheDir: join(bench.workDir, `cache-${name}-${rows}-${rep}`), outPath, ...chunkOf(bench) };
}

async function measureCase(bench: Bench, name: CaseName, rows: number, rep: number, prepared: Prepared | null): Promise<Sample> {
  if (name === 'psql') {
    const outPath = join(bench.workDir, `psql-${rows}-${rep}.csv`);
    try {
      const { ms, peakRssMB, cpuMs } = await psqlCopy(bench.psql as string, bench.url, `SELECT * FROM ${datasetName(rows)} ORDER BY id`, outPath);
      return { case: name, rows, ms, firstChunkMs: null, peakRssMB, cpuMs };
    } finally {
      rmSync(outPath, { force: true });
    }
  }
  const task = caseTask(bench, name, rows, rep, prepared);
  try {
    const { ms, firstChunkMs, peakRssMB, cpuMs, exportMs, engineFirstChunkMs } = await runChild<WithPeak<Timings>>(task, { tsx: bench.options.tsx });
    return { case: name, rows, ms, firstChunkMs, peakRssMB, cpuMs, ...(exportMs !== undefined ? { exportMs } : {}), ...(engineFirstChunkMs !== undefined ? { engineFirstChunkMs } : {}) };
  } finally {
    rmSync(task.outPath, { force: true });
    if (!isExportOnly(name)) rmSync(task.cacheDir, { recursive: true, force: true });
  }
}

/** Every case at every size, the order reversed on every other repetition so no case always runs warm or cold. */
async function table(bench: Bench): Promise<void> {
  const samples: Sample[] = [];
  const failures: string[] = [];
  const loadBefore = loadavg()[0] as number;
  for (const rows of bench.options.sizes) {
    const cases = casesAt(bench, rows);
    const prepared = cases.some(isExportOnly) ? await prepareRun(bench, rows) : null;
    for (let rep = 0; rep < bench.options.reps; rep++) {
      for (const name of rep % 2 === 0 ? cases : [...cases].reverse()) {
        try {
          const sample = await measureCase(bench, name, rows, rep, prepared);
          samples.push(sample);
          log(`${rows.toLocaleString('en-US')} rows, ${name}, rep ${rep + 1}: ${Math.round(sample.ms)} ms, peak ${sample.peakRssMB} MB`);
        } catch (err) {
          failures.push(`${name} at ${rows} rows: ${(err as Error).message}`);
          log(`${rows} rows, ${name} failed: ${(err as Error).message}`);
        }
      }
    }
    if (prepared) rmSync(prepared.cacheDir, { recursive: true, force: true });
  }
  printTable(aggregate(samples), bench.options.json, machineNote(loadBefore, loadavg()[0] as number));
  for (const failure of [...new Set(failures)]) console.log(bench.options.json ? JSON.stringify({ failed: failure }) : `not available: ${failure}`);
}

type RunMode = Exclude<ModeTask['mode'], 'pages'>;

function modeTask(bench: Bench, mode: RunMode): ModeTask {
  const count = mode === 'soak' ? SOAK_RUNS : LOAD_USERS;
  return { mode, url: bench.url, rows: SMALL_REPORT_ROWS, count, cacheDir: join(bench.workDir, mode), rendererDir: join(ROOT, 'out/renderer'), ...chunkOf(bench) };
}

const LOAD_LABELS = { 'load-service': 'through ReportService', 'load-http': 'through the browser host (HTTP + SSE)' } as const;

async function runMode(bench: Bench, mode: RunMode, cpuProfile?: string): Promise<void> {
  log(`${mode}: ${mode === 'soak' ? `${SOAK_RUNS} runs` : `${LOAD_USERS} users`} …`);
  const task = { ...modeTask(bench, mode), ...(cpuProfile ? { cpuProfile } : {}) };
  if (mode === 'soak') return printSoak(await runChild<WithPeak<SoakResult>>(task, { tsx: bench.options.tsx }), bench.options.json);
  try {
    printLoad(LOAD_LABELS[mode], await runChild<WithPeak<LoadResult>>(task, { tsx: bench.options.tsx }), bench.options.json);
  } catch (err) {
    printLoad(LOAD_LABELS[mode], { pending: `not available (${(err as Error).message})` }, bench.options.json);
  }
}

/** Pages anywhere in a settled run of each size, in several orders, in a process of its own. */
async function pagesMode(bench: Bench): Promise<void> {
  for (const rows of bench.options.sizes) {
    log(`pages: caching a ${rows.toLocaleString('en-US')}-row run …`);
    const prepared = await prepareRun(bench, rows);
    try {
      const task: ModeTask = { mode: 'pages', url: bench.url, rows, count: 1, cacheDir: prepared.cacheDir, runId: prepared.runId };
      printPages(await runChild<WithPeak<PagesResult>>(task, { tsx: bench.options.tsx }), bench.options.json);
    } finally {
      rmSync(prepared.cacheDir, { recursive: true, force: true });
    }
  }
}

/** A CPU profile of the measured work of one case or mode, kept in .cache/bench/ for DevTools and summarized here. */
async function profile(bench: Bench, target: ProfileTarget): Promise<void> {
  const rows = isCase(target) ? (bench.options.sizes[0] as number) : SMALL_REPORT_ROWS;
  const kept = join(ROOT, '.cache/bench', `${target}-${rows}.cpuprofile`);
  mkdirSync(dirname(kept), { recursive: true });
  if (isCase(target)) {
    const prepared = isExportOnly(target) ? await prepareRun(bench, rows) : null;
    const task = { ...caseTask(bench, target, rows, 0, prepared), cpuProfile: kept };
    const timings = await runChild<WithPeak<Timings>>(task, { tsx: bench.options.tsx });
    log(`${target} at ${rows.toLocaleString('en-US')} rows: ${Math.round(timings.ms)} ms while profiled, peak ${timings.peakRssMB} MB`);
  } else {
    await runMode(bench, target, kept);
  }
  const summary = summarizeProfile(JSON.parse(readFileSync(kept, 'utf8')) as CpuProfile);
  printProfile(`${target} at ${rows.toLocaleString('en-US')} rows, profile in ${relative(ROOT, kept)}`, summary);
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options === 'help') return console.log(USAGE);
  const server = await startTestPostgres();
  const workDir = mkdtempSync(join(tmpdir(), 'reportstream-bench-'));
  const cleanUp = async (): Promise<void> => {
    rmSync(workDir, { recursive: true, force: true });
    await server.stop();
  };
  process.once('SIGINT', () => void cleanUp().finally(() => process.exit(130)));
  try {
    const url = await benchDatabase(server.url);
    const tableMode = !options.soak && !options.load && !options.pages && !options.profile;
    const firstSize = options.sizes.slice(0, 1);
    const sizes = options.profile ? (isCase(options.profile) ? firstSize : [SMALL_REPORT_ROWS]) : tableMode || options.pages ? options.sizes : [SMALL_REPORT_ROWS];
    await ensureDatasets(url, sizes, log);
    if (!options.tsx && !(await bundleCase())) {
      log('esbuild is not installed: the cases run under tsx, which adds ~40 MB to each peak');
      options.tsx = true;
    }
    const bench: Bench = { url, workDir, options, psql: onPath('psql') };
    if (options.profile) await profile(bench, options.profile);
    else if (tableMode) await table(bench);
    else {
      if (options.soak) await runMode(bench, 'soak');
      if (options.load) for (const mode of ['load-service', 'load-http'] as const) await runMode(bench, mode);
      if (options.pages) await pagesMode(bench);
    }
  } finally {
    await cleanUp();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
