// Starts the processes that do the measured work: a case child (a plain-Node
// bundle of case.ts, or case.ts under tsx) and psql, each read for its own
// resident peak.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RESULT_PREFIX } from './options.ts';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CASE_TS = join(ROOT, 'test/bench/case.ts');
const BUNDLE = join(ROOT, '.cache/bench/case.mjs');

export interface ChildOptions {
  /** Run case.ts under tsx instead of the bundle. */
  tsx: boolean;
}

/**
 * Bundles case.ts and the engine into one file run by plain Node, packages left external:
 * what the app ships is built code, and tsx alone adds ~40 MB to a process's resident memory.
 * The source map lets a profile name the TypeScript file and line. False when esbuild (a
 * dependency of tsx) cannot be loaded: the cases then run under tsx.
 */
export async function bundleCase(): Promise<boolean> {
  const esbuild = await import('esbuild').catch(() => null);
  if (!esbuild) return false;
  await esbuild.build({
    // The CSV export's worker thread is looked for beside the bundle, as in the app's build.
    entryPoints: { case: CASE_TS, 'csv-worker': join(ROOT, 'src-main/engine/export/csv-worker.ts') },
    outdir: dirname(BUNDLE),
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    sourcesContent: false,
    logLevel: 'warning',
  });
  return true;
}

/** Runs one task in a fresh Node process and returns what it printed as its result. */
export function runChild<T>(task: object, options: ChildOptions): Promise<T> {
  const args = [
    '--expose-gc',
    ...(options.tsx ? ['--import', 'tsx', CASE_TS] : [BUNDLE]),
    JSON.stringify(task),
  ];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = stdout.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
      if (code !== 0 || !line) reject(new Error(`The child for ${JSON.stringify(task).slice(0, 120)}… exited with code ${code}.`));
      else resolvePromise(JSON.parse(line.slice(RESULT_PREFIX.length)) as T);
    });
  });
}

/** The first `name` on PATH, or null. */
export function onPath(name: string): string | null {
  for (const folder of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(folder, name);
    if (folder && existsSync(candidate)) return candidate;
  }
  return null;
}

const GNU_TIME = '/usr/bin/time';

/** Reads VmHWM (the kernel's resident high-water mark) while the process lives: the fallback without GNU time. */
function watchPeak(pid: number): () => number {
  let peakKB = 0;
  const read = (): void => {
    try {
      const match = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (match) peakKB = Math.max(peakKB, Number(match[1]));
    } catch {
      // gone already
    }
  };
  const timer = setInterval(read, 10);
  return () => {
    clearInterval(timer);
    return peakKB;
  };
}

/** psql's `\copy … TO file CSV HEADER`: the floor every other case is compared with. */
export function psqlCopy(psql: string, url: string, select: string, outPath: string): Promise<{ ms: number; peakRssMB: number; cpuMs: number | null }> {
  const psqlArgs = ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', `\\copy (${select}) TO '${outPath}' CSV HEADER`];
  const timed = existsSync(GNU_TIME);
  const [command, args] = timed ? [GNU_TIME, ['-v', psql, ...psqlArgs]] : [psql, psqlArgs];
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    const stopWatching = timed || child.pid === undefined ? () => 0 : watchPeak(child.pid);
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      const watchedKB = stopWatching();
      if (code !== 0) return reject(new Error(`psql exited with code ${code}: ${stderr.trim().split('\n').slice(0, 3).join(' ')}`));
      const reportedKB = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1] ?? 0);
      const seconds = (label: string): number => Number(new RegExp(`${label} time \\(seconds\\): ([\\d.]+)`).exec(stderr)?.[1] ?? 0);
      const cpuMs = timed ? Math.round((seconds('User') + seconds('System')) * 1000) : null;
      resolvePromise({ ms, peakRssMB: Math.round(((timed ? reportedKB : watchedKB) / 1024) * 10) / 10, cpuMs });
    });
  });
}
