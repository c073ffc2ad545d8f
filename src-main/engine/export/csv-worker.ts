// A worker thread of a threaded CSV export (see csv-threads.ts). It opens a
// snapshot of the run file of its own and says what state it sees, so that the
// export can check it is the snapshot the export began with; then it formats
// the pages it is given, a batch at a time, and says when each page is done.
import { parentPort, workerData } from 'node:worker_threads';
import { CachedRows } from './cached-rows.ts';
import type { CsvWorkerData, FromCsvWorker, ToCsvWorker } from './csv-threads.ts';
import { csvLines } from './csv-writer.ts';

const port = parentPort;
if (!port) throw new Error('csv-worker runs only as a worker thread.');
const { path, format, limits } = workerData as CsvWorkerData;
const post = (message: FromCsvWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);

const rows = CachedRows.open(path);
post({ kind: 'ready', state: rows.state });

const utf8 = new TextEncoder();

port.on('message', (message: ToCsvWorker) => {
  for (const batch of rows.batches(limits, message.range)) {
    // Encoded here, the text leaves this thread's heap at once and crosses without a copy.
    const bytes = utf8.encode(csvLines(batch, format));
    post({ kind: 'lines', page: message.page, bytes, rows: batch.length }, [bytes.buffer]);
  }
  post({ kind: 'page-done', page: message.page });
});
