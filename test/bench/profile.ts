// Where the time went, from a V8 CPU profile: the functions with the most self
// time, and the time per area (pg, SQLite, engine, GC, idle…). Frames in the
// bench bundle are mapped back to their TypeScript file through its source map.
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

/** What the inspector's Profiler.stop returns and `node --cpu-prof` writes. */
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface Hotspot {
  name: string;
  ms: number;
  percent: number;
}

export interface ProfileSummary {
  totalMs: number;
  functions: Hotspot[];
  areas: Hotspot[];
}

const SPECIAL = new Set(['(garbage collector)', '(idle)', '(program)', '(root)']);
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** Packages below this share of the time are summed as one line. */
const MINOR_PERCENT = 0.5;

/** Maps a frame of a bundled file to its original file and line, when the bundle has a source map. */
function sourceLocator(): (frame: CallFrame) => { file: string; line: number } {
  const maps = new Map<string, SourceMap | null>();
  return ({ url, lineNumber, columnNumber }) => {
    const file = url.startsWith('file://') ? fileURLToPath(url) : url;
    if (!maps.has(file)) maps.set(file, existsSync(`${file}.map`) ? new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8'))) : null);
    const entry = maps.get(file)?.findEntry(lineNumber, columnNumber) as { originalSource?: string; originalLine?: number } | undefined;
    if (!entry?.originalSource) return { file, line: lineNumber + 1 };
    const original = entry.originalSource.startsWith('file://') ? fileURLToPath(entry.originalSource) : resolve(dirname(file), entry.originalSource);
    return { file: original, line: (entry.originalLine ?? 0) + 1 };
  };
}

/** A file as a person names it: the package path or the repository path. */
function shortName(file: string): string {
  const inPackage = /node_modules\/(.*)$/.exec(file);
  if (inPackage) return inPackage[1] as string;
  return file.startsWith(REPO) ? relative(REPO, file) : file;
}

function areaOfFile(file: string): string | null {
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file);
  if (inPackage) return /^pg(-|$)/.test(inPackage[1] as string) ? 'pg, pg-cursor, pg-protocol' : (inPackage[1] as string);
  if (file.includes('/src-main/engine/')) return 'engine (src-main/engine)';
  if (file.includes('/src-main/')) return 'hosts (src-main/server, …)';
  if (file.includes('/test/')) return 'bench and test support';
  return null; // Node's own code and native calls: counted for whoever called them
}

export function summarizeProfile(profile: CpuProfile, limit = 20): ProfileSummary {
  const locate = sourceLocator();
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, ProfileNode>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node);
  const selfMs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));

  // Decoding a pg message in Buffer#toString, a better-sqlite3 statement in C++: the time belongs to the package that asked.
  const areaOf = (node: ProfileNode | undefined): string => {
    if (!node) return 'Node itself (socket reads, timers, event loop)';
    if (SPECIAL.has(node.callFrame.functionName)) return node.callFrame.functionName;
    const area = node.callFrame.url ? areaOfFile(locate(node.callFrame).file) : null;
    return area ?? areaOf(parentOf.get(node.id));
  };
  const functions = new Map<string, number>();
  const areas = new Map<string, number>();
  let totalMs = 0;
  for (const [id, ms] of selfMs) {
    const node = byId.get(id) as ProfileNode;
    const { functionName, url } = node.callFrame;
    const where = url ? locate(node.callFrame) : null;
    const name = `${functionName || '(anonymous)'}${where ? `  ${shortName(where.file)}:${where.line}` : SPECIAL.has(functionName) ? '' : ' [native]'}`;
    functions.set(name, (functions.get(name) ?? 0) + ms);
    const area = areaOf(node);
    areas.set(area, (areas.get(area) ?? 0) + ms);
    totalMs += ms;
  }
  const ranked = (entries: [string, number][]): Hotspot[] =>
    entries.sort((a, b) => b[1] - a[1]).map(([name, ms]) => ({ name, ms: Math.round(ms), percent: Math.round((ms / totalMs) * 1000) / 10 }));
  const major = [...areas].filter(([, ms]) => (ms / totalMs) * 100 >= MINOR_PERCENT);
  const minorMs = [...areas].filter(([, ms]) => (ms / totalMs) * 100 < MINOR_PERCENT).reduce((sum, [, ms]) => sum + ms, 0);
  return {
    totalMs: Math.round(totalMs),
    functions: ranked([...functions]).slice(0, limit),
    areas: ranked(minorMs > 0 ? [...major, ['other packages', minorMs]] : major),
  };
}

export function printProfile(title: string, summary: ProfileSummary): void {
  const line = (spot: Hotspot): string => `  ${String(spot.ms).padStart(7)} ms ${spot.percent.toFixed(1).padStart(5)} %  ${spot.name}`;
  console.log(`${title}: ${summary.totalMs} ms sampled`);
  console.log('by area (self time; Node and native calls count for the package that made them):');
  summary.areas.forEach((spot) => console.log(line(spot)));
  console.log('top functions by self time:');
  summary.functions.forEach((spot) => console.log(line(spot)));
}
