// Runs the real CLI (`node bin/reportstream.js …`) as a child process, to be
// killed at will; and reads a run file from outside while the child writes it.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';

const REPO = resolve(import.meta.dirname, '../../..');

export interface CliChild {
  child: ChildProcess;
  /** Resolves with the exit code, or the signal that ended the child. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** stdout and stderr as they came, for failure messages. */
  output: () => string;
  stdout: () => string;
}

export function spawnCli(args: string[]): CliChild {
  const child = spawn(process.execPath, [join(REPO, 'bin/reportstream.js'), ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let stdout = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.on('exit', (code, signal) => done({ code, signal })));
  return { child, exited, output: () => output, stdout: () => stdout };
}

/** The run files in a cache folder. */
export function runFiles(cacheDir: string): string[] {
  const dir = join(cacheDir, 'runs');
  return existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.rsreport')).map((name) => join(dir, name)) : [];
}

/** Status and row count of a run file, read from outside the process writing it; null while it is being created. */
export function peekRunFile(file: string): { status: string; rowsCached: number } | null {
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const row = db.prepare(`SELECT status, rows_cached AS rowsCached FROM state WHERE id = 1`).get() as { status: string; rowsCached: number } | undefined;
    return row ?? null;
  } catch {
    return null;
  } finally {
    db?.close();
  }
}

/** SQLite's own verdict on a file: 'ok' or the problems it found. */
export function integrityOf(file: string): string {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; ');
  } finally {
    db.close();
  }
}
