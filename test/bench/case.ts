// Child-process entry: runs one case or mode, then prints one `RESULT {json}`
// line with its own resident peak, so no case pollutes another's memory figure.
// `node --import tsx test/bench/case.ts '<task json>'` (the parent usually runs a bundle of it).
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { type CaseTask, runCase } from './cases.ts';
import { type ModeTask, loadHttp, loadService, pages, soak } from './modes.ts';
import { RESULT_PREFIX } from './options.ts';

async function perform(task: CaseTask | ModeTask): Promise<object> {
  if ('case' in task) return runCase(task);
  switch (task.mode) {
    case 'soak':
      return soak(task);
    case 'load-service':
      return loadService(task);
    case 'load-http':
      return loadHttp(task);
    case 'pages':
      return pages(task);
    default: {
      const unknown: never = task.mode;
      throw new Error(`Unknown mode ${String(unknown)}.`);
    }
  }
}

/** Profiles the measured work only, not the start of the process (module loading would dwarf a small case). */
async function profiled<T>(path: string | undefined, work: () => Promise<T>): Promise<T> {
  if (!path) return work();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  const result = await work();
  const { profile } = await session.post('Profiler.stop');
  writeFileSync(path, JSON.stringify(profile));
  session.disconnect();
  return result;
}

async function main(): Promise<void> {
  const task = JSON.parse(process.argv[2] ?? 'null') as ((CaseTask | ModeTask) & { cpuProfile?: string }) | null;
  if (!task) throw new Error('Usage: case.ts <task as JSON>');
  const cpuBefore = process.cpuUsage();
  const result = await profiled(task.cpuProfile, () => perform(task));
  const cpu = process.cpuUsage(cpuBefore);
  // maxRSS is in kilobytes: the highest resident set this process ever had.
  const peakRssMB = Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
  const cpuMs = Math.round((cpu.user + cpu.system) / 1000);
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify({ ...result, peakRssMB, cpuMs })}\n`);
}

main().then(
  // Pending sockets or timers must not keep a finished case alive.
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(1);
  },
);
