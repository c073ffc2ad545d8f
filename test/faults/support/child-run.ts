// A child process that runs one report below the service (see direct-run.ts)
// and then simply returns: if a socket or timer of a dead connection were left
// behind, the process would not exit. Prints `rows N` as chunks arrive and a
// JSON line with the final state.
//   node --import tsx child-run.ts <postgres-url> <readTimeoutMs>
import { DirectRuns } from './direct-run.ts';

const [url, readTimeoutMs] = process.argv.slice(2);
if (!url || !readTimeoutMs) throw new Error('usage: child-run.ts <postgres-url> <readTimeoutMs>');
const runs = new DirectRuns();
const definition = { dataset: 'orders' };
const report = await runs.prepare(url, definition);
const file = runs.create(report, definition);
const run = runs.start(file, url, report, {
  chunkSize: 100,
  noProgressTimeoutMs: 60_000,
  reconnectTries: 1,
  reconnectBackoffMs: 50,
  readTimeoutMs: Number(readTimeoutMs),
});
let printed = 0;
const ticker = setInterval(() => {
  const rows = run.progress.at(-1)?.rowsCached ?? 0;
  if (rows !== printed) console.log(`rows ${(printed = rows)}`);
}, 10);
const { state } = await run.finish();
clearInterval(ticker);
runs.remove();
console.log(JSON.stringify({ status: state.status, errorKind: state.errorKind, rowsCached: state.rowsCached, finishedAt: Date.now() }));
