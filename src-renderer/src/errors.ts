// What each error kind means to an analyst, and what to do next. The switch is
// exhaustive: a new ErrorKind in the contract does not compile until it is described here.
import type { AppError, ErrorKind } from '../../src-preload/contract.ts';

/** A follow-up the error view can offer as a button. */
export type ErrorAction = 'resume' | 'editSource' | 'addFilter' | 'retry';

export interface ErrorAdvice {
  title: string;
  nextStep: string;
  action?: ErrorAction;
}

export interface ErrorContext {
  /** The host's limit of concurrent reports, for TooManyRuns. */
  maxConcurrentRuns?: number;
  /** The host's own words, which say what was not found (a dataset, a run, a file…). */
  message?: string;
}

// NotFound covers datasets, runs, connections, databases and files alike; the host's message says which.
const NOT_FOUND: { pattern: RegExp; advice: ErrorAdvice }[] = [
  {
    pattern: /^The dataset "/,
    advice: {
      title: 'Dataset not found',
      nextStep: 'Check the spelling and schema (schema.table), or pick one from the Datasets list; it may have been renamed or dropped.',
    },
  },
  {
    pattern: /^relation ".*" does not exist|^no such table/,
    advice: {
      title: 'Table or view not found',
      nextStep: 'Check the table and schema names in the statement (schema.table), or look them up in the Datasets list; it may have been renamed or dropped.',
    },
  },
  {
    pattern: /^schema ".*" does not exist/,
    advice: { title: 'Schema not found', nextStep: 'Check the schema name (schema.table); it may have been renamed or dropped.' },
  },
  {
    pattern: /^database ".*" does not exist/,
    advice: { title: 'Database not found', nextStep: 'Check the database name in the source, then test the connection.', action: 'editSource' },
  },
  {
    pattern: /saved connection/,
    advice: { title: 'Saved connection not found', nextStep: 'It may have been removed, perhaps in another window. Add it again under Sources.' },
  },
  {
    pattern: /saved report/,
    advice: { title: 'Report not found', nextStep: 'It may have been deleted, perhaps in another window. Reload the window to refresh the library.' },
  },
  {
    pattern: /no export with id/,
    advice: { title: 'Export not found', nextStep: 'It may have finished or been removed. Start the export again.' },
  },
  {
    pattern: /\bfile\b|does not exist any more/,
    advice: { title: 'File not found', nextStep: 'Check the path; the file may have been moved, renamed or deleted.' },
  },
];

function notFoundAdvice(message = ''): ErrorAdvice {
  return (
    NOT_FOUND.find(({ pattern }) => pattern.test(message))?.advice ?? {
      title: 'Not found',
      nextStep: 'It may have been renamed, moved or deleted. Check the name and try again.',
    }
  );
}

function assertNever(kind: never): never {
  throw new Error(`Unknown error kind: ${String(kind)}`);
}

export function adviceFor(kind: ErrorKind, context: ErrorContext = {}): ErrorAdvice {
  switch (kind) {
    case 'NotFound':
      return notFoundAdvice(context.message);
    case 'PermissionDenied':
      return {
        title: 'Permission denied',
        nextStep: 'Your database user may not read this table or view. Ask the database owner for SELECT on it, or use a profile with access.',
        action: 'editSource',
      };
    case 'AuthFailed':
      return {
        title: 'Wrong user name or password',
        nextStep: 'The server refused the login. Edit the source, re-enter the password, and test the connection.',
        action: 'editSource',
      };
    case 'Unreachable':
      return {
        title: 'Server unreachable',
        nextStep: 'Check the host and port in the source, that the server is running, and your network or VPN.',
        action: 'editSource',
      };
    case 'ConnectionLost':
      return {
        title: 'Connection lost',
        nextStep: 'The rows received so far are saved. Resume when the server is back; the report continues where it stopped.',
        action: 'resume',
      };
    case 'Timeout':
      return {
        title: 'The report timed out',
        nextStep: 'The server sent nothing for too long. Add a filter or fewer columns so that it returns rows sooner, then generate again.',
        action: 'addFilter',
      };
    case 'TooManyRuns': {
      const limit = context.maxConcurrentRuns;
      return {
        title: limit ? `Too many reports running (limit ${limit})` : 'Too many reports running',
        nextStep: `${limit ? `At most ${limit} reports can run at once.` : 'The limit of reports running at once is reached.'} Wait for one to finish or cancel one, then try again.`,
        action: 'retry',
      };
    }
    case 'Cancelled':
      return {
        title: 'Cancelled',
        nextStep: 'The rows received so far are kept. Resume to fetch the rest.',
        action: 'resume',
      };
    case 'InvalidQuery':
      return {
        title: 'The query is not valid',
        nextStep: 'Fix the SQL (one SELECT statement) or the filter values, then generate again.',
      };
    case 'WriteNotAllowed':
      return {
        title: 'Reports are read-only',
        nextStep: 'Only one SELECT statement can run as a report; statements that change data are refused.',
      };
    case 'NotResumable':
      return {
        title: 'This report cannot resume',
        nextStep: 'It has no unique ordering key. Generate it again from the start, or name unique key columns.',
      };
    case 'InvalidArgument':
      return {
        title: 'Something in the request is not valid',
        nextStep: 'Check the highlighted fields and try again.',
      };
    case 'CacheCorrupt':
      return {
        title: 'The saved report file is damaged',
        nextStep: 'Delete this report from the library and generate it again.',
      };
    case 'ExportFailed':
      return {
        title: 'Export failed',
        nextStep: 'Check that the folder exists, that you may write there and that the disk has space, then export again.',
      };
    case 'Unsupported':
      return {
        title: 'Not supported here',
        nextStep: 'This action is not available in this window or for this source.',
      };
    case 'Internal':
      return {
        title: 'Something went wrong',
        nextStep: 'Try again. If it keeps happening, restart ReportStream; your saved reports are kept.',
      };
    default:
      return assertNever(kind);
  }
}

export function describeError(error: AppError, context: ErrorContext = {}): ErrorAdvice {
  return adviceFor(error.kind, { ...context, message: error.message });
}
