// The argument schema of every contract method, shared by the Electron IPC
// wrapper and the browser host so both refuse exactly the same input.
// Plain Node: no `electron` import here.
import { z } from 'zod';
import {
  ERROR_KINDS,
  FILTER_OPERATORS,
  SSL_MODES,
  type MethodArg,
  type MethodName,
} from '../src-preload/contract.ts';

/** At most this many rows per page, as the contract says. */
export const MAX_PAGE_ROWS = 10_000;

const id = z.string().min(1).max(200);
const name = z.string().max(500);
const columnName = z.string().min(1).max(1_000);
const filePath = z.string().min(1).max(4_096).refine((path) => !path.includes('\0'), 'contains a NUL character');
const port = z.int().min(1).max(65_535);
const hostName = z.string().min(1).max(255);

/**
 * The window reports on the Demo and on saved PostgreSQL connections. A SQLite file is the CLI's
 * (`reportstream run --source FILE`): a path typed by a page would let it read any database file on the
 * machine. Its runs still open, resume and export by run id.
 */
const sourceRef = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('demo') }),
  z.strictObject({ type: z.literal('sqlite'), path: filePath }).refine(() => false, {
    message: 'the window cannot open a SQLite file by path; run reports on one with the CLI (reportstream run --source FILE.sqlite)',
  }),
  z.strictObject({ type: z.literal('postgres'), profileId: id }),
]);

const profileInput = z.strictObject({
  id: id.optional(),
  // Empty: the engine names the profile after user@host:port/database.
  name: z.string().max(200),
  host: hostName,
  port,
  database: z.string().min(1).max(200),
  user: z.string().min(1).max(200),
  sslMode: z.enum(SSL_MODES),
  replica: z.strictObject({ host: hostName, port }).optional(),
  password: z.string().max(1_000).optional(),
});

const filter = z.strictObject({
  column: columnName,
  op: z.enum(FILTER_OPERATORS),
  value: z.union([z.string().max(10_000), z.number(), z.boolean(), z.null()]).optional(),
});

const sortKey = z.strictObject({ column: columnName, direction: z.enum(['asc', 'desc']) });

const reportDefinition = z.strictObject({
  name: name.optional(),
  source: sourceRef,
  // Which of dataset or SQL is given, and that one is, the engine checks and explains.
  dataset: z.string().max(1_000).optional(),
  sql: z.string().max(1_000_000).optional(),
  columns: z.array(columnName).max(5_000).optional(),
  filters: z.array(filter).max(100).optional(),
  sort: z.array(sortKey).max(100).optional(),
  key: z.array(columnName).max(32).optional(),
  chunkSize: z.int().min(1).max(100_000).optional(),
});

const rowsRequest = z
  .strictObject({
    runId: id,
    start: z.int().min(0),
    end: z.int().min(0),
    sort: z.array(sortKey).max(100).optional(),
    filter: z.array(filter).max(100).optional(),
  })
  .refine((request) => request.end >= request.start, { message: 'end must not be before start', path: ['end'] })
  .refine((request) => request.end - request.start <= MAX_PAGE_ROWS, {
    message: `at most ${MAX_PAGE_ROWS} rows per page`,
    path: ['end'],
  });

const exportFormat = z.enum(['csv', 'xlsx']);

/** A method that takes no argument accepts `undefined` or `null` (JSON has no undefined) and passes `undefined`. */
const noArgument = z.union([z.undefined(), z.null()]).transform((): void => undefined);

const runRef = z.strictObject({ runId: id });

/** One schema per method; the mapped type makes a missing or mistyped schema a compile error. */
export const ARG_SCHEMAS: { [M in MethodName]: z.ZodType<MethodArg<M>, unknown> } = {
  getAppInfo: noArgument,
  listSources: noArgument,
  saveSource: profileInput,
  testSource: z.union([z.strictObject({ ref: sourceRef }), z.strictObject({ profile: profileInput })]),
  removeSource: z.strictObject({ profileId: id }),
  listDatasets: z.strictObject({ source: sourceRef }),
  describeSql: z.strictObject({ source: sourceRef, sql: z.string().max(1_000_000) }),
  startRun: reportDefinition,
  cancelRun: runRef,
  resumeRun: runRef,
  deleteRun: runRef,
  renameRun: z.strictObject({ runId: id, name: z.string().max(500) }),
  listRuns: noArgument,
  getRun: runRef,
  getRows: rowsRequest,
  importRunFile: z.strictObject({ path: filePath }),
  getStats: noArgument,
  startExport: z.strictObject({
    runId: id,
    path: filePath,
    format: exportFormat.optional(),
    bom: z.boolean().optional(),
    formulaGuard: z.boolean().optional(),
  }),
  cancelExport: z.strictObject({ exportId: id }),
  listExports: z.strictObject({ runId: id.optional() }),
  chooseExportPath: z.strictObject({ suggestedName: z.string().max(500), format: exportFormat }),
  chooseReportFile: noArgument,
  showInFolder: z.strictObject({ path: filePath }),
};

export type ParsedArg<M extends MethodName> = { ok: true; arg: MethodArg<M> } | { ok: false; message: string };

/** Validates one method's argument; the message names the first offending field. */
export function parseArg<M extends MethodName>(method: M, raw: unknown): ParsedArg<M> {
  const schema = ARG_SCHEMAS[method] as z.ZodType<MethodArg<M>, unknown>;
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, arg: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
  return { ok: false, message: `Invalid argument for ${method}${where}: ${issue?.message ?? 'rejected'}.` };
}

/** Whether a string names a contract method; for hosts that take the name from outside. */
export function isMethodName(value: string): value is MethodName {
  return Object.hasOwn(ARG_SCHEMAS, value);
}

/** Whether a string names an error kind; for errors that come back over a port. */
export const isErrorKind = (value: unknown): value is (typeof ERROR_KINDS)[number] =>
  typeof value === 'string' && (ERROR_KINDS as readonly string[]).includes(value);
