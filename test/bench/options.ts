// Command-line options of `npm run bench`, parsed once, with the defaults the issue asks for.
import { parseArgs } from 'node:util';

/** How a child process marks the line that carries its result. */
export const RESULT_PREFIX = 'RESULT ';

export const CASE_NAMES = ['psql', 'naive', 'run', 'run+csv', 'csv', 'xlsx'] as const;
export type CaseName = (typeof CASE_NAMES)[number];
export const PROFILE_TARGETS = ['naive', 'run', 'run+csv', 'csv', 'xlsx', 'soak', 'load-service', 'load-http'] as const;
export type ProfileTarget = (typeof PROFILE_TARGETS)[number];

export interface BenchOptions {
  sizes: number[];
  reps: number;
  cases: CaseName[];
  json: boolean;
  soak: boolean;
  load: boolean;
  /** Page through a cached run of each size, sorted and filtered. */
  pages: boolean;
  /** Chunk size handed to ReportService (the engine's default when absent). */
  chunkSize?: number;
  /** Profile this case (at the first size) or mode instead of measuring the table. */
  profile?: ProfileTarget;
  /** Run the children under tsx instead of a plain-Node bundle (tsx adds ~40 MB of resident memory). */
  tsx: boolean;
}

export const USAGE = `npm run bench -- [options]
  --sizes 10000,100000   row counts (default 10000,100000,1000000; --big adds 10000000)
  --big                  add the 10,000,000-row dataset
  --reps N               repetitions per case, alternating the case order (default 3)
  --cases run,csv        only these cases (${CASE_NAMES.join(', ')})
  --json                 one JSON object per case instead of the table
  --soak                 100 consecutive 10,000-row runs in one process: memory at runs 10, 50, 100
  --load                 50 concurrent 10,000-row reports, through ReportService and the browser host
  --pages                100-row pages anywhere in a cached run of each size (default 1,000,000), sorted
                         and filtered, against paging the table straight with ORDER BY … OFFSET
  --chunk N              rows per chunk for ReportService (engine default otherwise)
  --profile WHAT         CPU profile of one case at the first size, or of soak, load-service, load-http:
                         time per area and the top self-time functions; the profile is kept in .cache/bench/
  --tsx                  run the cases under tsx instead of a bundle`;

function positiveInt(text: string, what: string): number {
  const value = Number(text.replace(/_/g, ''));
  if (!Number.isInteger(value) || value < 1) throw new Error(`${what} must be a positive whole number, not "${text}".`);
  return value;
}

function caseName(text: string): CaseName {
  if (!(CASE_NAMES as readonly string[]).includes(text)) throw new Error(`Unknown case "${text}"; cases are ${CASE_NAMES.join(', ')}.`);
  return text as CaseName;
}

function profileTarget(text: string): ProfileTarget {
  if (!(PROFILE_TARGETS as readonly string[]).includes(text)) throw new Error(`Cannot profile "${text}"; choose one of ${PROFILE_TARGETS.join(', ')}.`);
  return text as ProfileTarget;
}

export function parseOptions(argv: string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      sizes: { type: 'string' },
      big: { type: 'boolean', default: false },
      reps: { type: 'string', default: '3' },
      cases: { type: 'string' },
      json: { type: 'boolean', default: false },
      soak: { type: 'boolean', default: false },
      load: { type: 'boolean', default: false },
      pages: { type: 'boolean', default: false },
      chunk: { type: 'string' },
      profile: { type: 'string' },
      tsx: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  const sizes = values.sizes ? values.sizes.split(',').map((s) => positiveInt(s.trim(), 'A size')) : values.pages ? [1_000_000] : [10_000, 100_000, 1_000_000];
  if (values.big && !sizes.includes(10_000_000)) sizes.push(10_000_000);
  return {
    sizes,
    reps: positiveInt(values.reps, '--reps'),
    cases: values.cases ? values.cases.split(',').map((c) => caseName(c.trim())) : [...CASE_NAMES],
    json: values.json,
    soak: values.soak,
    load: values.load,
    pages: values.pages,
    ...(values.chunk ? { chunkSize: positiveInt(values.chunk, '--chunk') } : {}),
    ...(values.profile ? { profile: profileTarget(values.profile) } : {}),
    tsx: values.tsx,
  };
}
