// CSV formatted by worker threads: reading the cache and making CSV text are
// most of an export's work, and pages of rows can be made independently. Each
// worker reads pages (spans of seq) on a connection of its own and sends their
// text back encoded; the export writes the pages in order. A worker's read
// transaction is not the export's, so each says what state it sees, and the
// threads are used only when every one sees the export's snapshot.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { RunState } from '../cache/run-file.ts';
import type { BatchLimits, SeqRange } from './cached-rows.ts';
import type { CsvFormat } from './csv-writer.ts';

/** What a worker is started with. */
export interface CsvWorkerData {
  path: string;
  format: CsvFormat;
  limits: BatchLimits;
}

export type ToCsvWorker = { kind: 'page'; page: number; range: SeqRange };

export type FromCsvWorker =
  | { kind: 'ready'; state: RunState }
  | { kind: 'lines'; page: number; bytes: Uint8Array; rows: number }
  | { kind: 'page-done'; page: number };

/** CSV lines of consecutive rows, encoded and ready to write. */
export interface CsvLines {
  bytes: Uint8Array;
  rows: number;
}

export interface CsvThreadsOptions extends CsvWorkerData {
  /** The export's own snapshot: every worker must see exactly this. */
  state: RunState;
  workers: number;
}

/** Rows per page handed to a worker: big enough that messages cost little, small enough that the threads end together. */
const PAGE_ROWS = 10_000;
/** Pages a worker holds at once, so it never waits for the next. */
const PAGES_PER_WORKER = 2;

/**
 * A worker makes a megabyte of short-lived text per batch; V8's default young generation lets each
 * thread grow by tens of MB for it. 12 MB keeps a 1,000,000-row CLI export near 260 MB resident
 * instead of 310 MB, at no measurable cost in time (8 was no smaller, 6 was slower).
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 12 };

/** What a bundle names the built worker, beside itself and with its own extension (see electron.vite.config.ts). */
const BUILT_WORKER = 'csv-worker';

/**
 * How this copy of the engine starts the worker. From TypeScript source (tests, CLI) the
 * worker is csv-worker.ts under tsx's require hook: Node 20 applies no ESM loader hooks in a
 * worker thread. From a bundle it is the built file beside it; a bundle without one gets no threads.
 */
function startWorker(data: CsvWorkerData): Worker | null {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    const tsx = createRequire(here).resolve('tsx/cjs');
    const entry = fileURLToPath(new URL('./csv-worker.ts', here));
    return new Worker(`require(${JSON.stringify(tsx)}); require(${JSON.stringify(entry)});`, { eval: true, workerData: data, execArgv: [], resourceLimits: WORKER_LIMITS });
  }
  const name = `./${BUILT_WORKER}${extname(fileURLToPath(here))}`;
  const built = new URL(name, here);
  return existsSync(built) ? new Worker(built, { workerData: data, execArgv: [], resourceLimits: WORKER_LIMITS }) : null;
}

/** The state the worker's snapshot shows; rejects if it fails or stops first. */
function readyState(worker: Worker): Promise<RunState> {
  return new Promise((resolve, reject) => {
    const settle = (): void => void worker.off('message', onMessage).off('error', onError).off('exit', onExit);
    const onMessage = (message: FromCsvWorker): void => {
      if (message.kind !== 'ready') return;
      settle();
      resolve(message.state);
    };
    const onError = (err: Error): void => {
      settle();
      reject(err);
    };
    const onExit = (code: number): void => onError(new Error(`A CSV worker thread stopped with code ${code} before it was ready.`));
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
  });
}

interface PageText {
  chunks: CsvLines[];
  done: boolean;
}

export class CsvThreads {
  private readonly pages = new Map<number, PageText>();
  /** Pages given to each worker that it has not finished. */
  private readonly busy: number[];
  private readonly pageCount: number;
  private nextToGive = 0;
  private nextToWrite = 0;
  private failure: Error | null = null;
  private closing = false;
  private wake: (() => void) | null = null;

  private constructor(
    private readonly workers: Worker[],
    /** The last seq of the export's snapshot. */
    private readonly through: number,
  ) {
    this.busy = workers.map(() => 0);
    this.pageCount = Math.ceil(through / PAGE_ROWS);
    workers.forEach((worker, index) => {
      worker.on('message', (message: FromCsvWorker) => this.received(index, message));
      worker.on('error', (err: Error) => this.fail(err));
      worker.on('exit', (code) => this.fail(new Error(`A CSV worker thread stopped with code ${code}.`)));
    });
    this.give();
  }

  /**
   * Starts the workers and checks their snapshots. Null when this copy of the engine has no
   * worker, a worker could not start, or a snapshot differs (the run file changed in between):
   * the export then formats in its own thread.
   */
  static async start(options: CsvThreadsOptions): Promise<CsvThreads | null> {
    const { state, workers: count, ...data } = options;
    const workers: Worker[] = [];
    try {
      for (let i = 0; i < count; i++) {
        const worker = startWorker(data);
        if (!worker) break;
        workers.push(worker);
      }
      const seen = workers.length === count ? await Promise.all(workers.map(readyState)) : [];
      // Every write to a run file changes its state row (a chunk its row count, a new start its status and times): equal states are the same snapshot.
      const expected = JSON.stringify(state);
      if (count > 0 && seen.length === count && seen.every((workerState) => JSON.stringify(workerState) === expected)) {
        return new CsvThreads(workers, state.rowsCached);
      }
    } catch {
      // a worker that cannot start leaves the export to its own thread
    }
    await Promise.all(workers.map((worker) => worker.terminate()));
    return null;
  }

  /** The next lines in cache order; null after the last. Throws what a worker failed with. */
  async next(): Promise<CsvLines | null> {
    for (;;) {
      if (this.failure) throw this.failure;
      if (this.nextToWrite >= this.pageCount) return null;
      const page = this.pages.get(this.nextToWrite);
      const chunk = page?.chunks.shift();
      if (chunk) return chunk;
      if (page?.done) {
        this.pages.delete(this.nextToWrite++);
        this.give();
        continue;
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  /** Stops the workers; their connections close with them. */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }

  /** Hands out pages while a worker has room and the pages ahead of the writer stay few. */
  private give(): void {
    const ahead = this.workers.length * PAGES_PER_WORKER + 1;
    while (this.nextToGive < this.pageCount && this.nextToGive - this.nextToWrite < ahead) {
      const index = this.busy.indexOf(Math.min(...this.busy));
      if ((this.busy[index] ?? PAGES_PER_WORKER) >= PAGES_PER_WORKER) return;
      const page = this.nextToGive++;
      this.pages.set(page, { chunks: [], done: false });
      this.busy[index] = (this.busy[index] ?? 0) + 1;
      const range: SeqRange = { after: page * PAGE_ROWS, through: Math.min(this.through, (page + 1) * PAGE_ROWS) };
      this.workers[index]?.postMessage({ kind: 'page', page, range } satisfies ToCsvWorker);
    }
  }

  private received(index: number, message: FromCsvWorker): void {
    switch (message.kind) {
      case 'ready':
        return;
      case 'lines':
        this.pages.get(message.page)?.chunks.push({ bytes: message.bytes, rows: message.rows });
        break;
      case 'page-done': {
        const page = this.pages.get(message.page);
        if (page) page.done = true;
        this.busy[index] = (this.busy[index] ?? 1) - 1;
        this.give();
        break;
      }
      default: {
        const unknown: never = message;
        this.fail(new Error(`Unknown message from a CSV worker: ${JSON.stringify(unknown)}`));
      }
    }
    this.wakeUp();
  }

  private fail(err: Error): void {
    if (this.closing) return;
    this.failure ??= err;
    this.wakeUp();
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}
