// Typed errors: every failure the engine reports has a kind to branch on and a
// message a person can act on. PostgreSQL's SQLSTATE codes and socket errors
// are mapped here, in one place.
import type { AppError, ErrorKind } from '../../src-preload/contract.ts';

export class ReportError extends Error {
  readonly kind: ErrorKind;
  constructor(kind: ErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
    this.name = `ReportError(${kind})`;
  }
}

export const isReportError = (err: unknown): err is ReportError => err instanceof ReportError;

interface PgLikeError {
  code?: string;
  message?: string;
  severity?: string;
}

const SOCKET_UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ETIMEDOUT', 'EADDRNOTAVAIL']);
const SOCKET_LOST = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

/** Where the error happened changes what it means: a refused socket while connecting is "unreachable", mid-run it is "lost". */
export type ErrorPhase = 'connect' | 'run';

export function fromPostgresError(err: unknown, phase: ErrorPhase, what = 'the report'): ReportError {
  if (isReportError(err)) return err;
  const e = (err ?? {}) as PgLikeError;
  const code = e.code ?? '';
  const detail = e.message ?? String(err);
  if (SOCKET_UNREACHABLE.has(code)) {
    return phase === 'connect'
      ? new ReportError('Unreachable', `The database server cannot be reached (${code}). Check the host and port, and that the server is running.`, { cause: err })
      : new ReportError('ConnectionLost', `The connection to the database was lost (${code}). The rows cached so far are kept; resume when the server is back.`, { cause: err });
  }
  // pg's connectionTimeoutMillis: the server did not finish the handshake in time.
  if (!code && /^timeout expired$|connection timeout/i.test(detail)) {
    return phase === 'connect'
      ? new ReportError('Unreachable', `The database server did not answer in time while connecting. Check the host and port, and that the server is running and reachable.`, { cause: err })
      : new ReportError('ConnectionLost', `The connection to the database stopped answering. The rows cached so far are kept; resume when the server is back.`, { cause: err });
  }
  if (SOCKET_LOST.has(code) || (!code && /Connection terminated|connection.*(ended|closed)|terminated unexpectedly/i.test(detail))) {
    return phase === 'connect'
      ? new ReportError('Unreachable', `The database server closed the connection while connecting (${detail}). Check that it is running and accepts connections.`, { cause: err })
      : new ReportError('ConnectionLost', `The connection to the database was lost (${detail}). The rows cached so far are kept; resume when the server is back.`, { cause: err });
  }
  switch (true) {
    case code === '28P01' || code === '28000':
      return new ReportError('AuthFailed', `The database refused the login: ${detail}. Check the user name and password.`, { cause: err });
    case code === '3D000':
      return new ReportError('NotFound', `${detail}. Check the database name in the connection.`, { cause: err });
    case code === '42P01' || code === '3F000':
      return new ReportError('NotFound', `${detail}. The dataset may have been renamed or removed; pick one from the dataset list.`, { cause: err });
    case code === '42501':
      return new ReportError('PermissionDenied', `${detail}. Ask the database owner to GRANT SELECT on it to your role.`, { cause: err });
    case code === '25006':
      return new ReportError('WriteNotAllowed', `Reports are read-only: ${detail}.`, { cause: err });
    case code === '57014':
      return new ReportError('Timeout', `The server cancelled ${what} (statement timeout). Add a filter or pick a smaller dataset.`, { cause: err });
    case code === '53300':
      return new ReportError('Unreachable', `The database server has too many connections right now (${detail}). Try again in a moment.`, { cause: err });
    case code === '57P03':
      return new ReportError('Unreachable', `The database server is starting up or shutting down. Try again in a moment.`, { cause: err });
    case code === '08P01':
      return new ReportError('Internal', `The server rejected a message from ReportStream (protocol violation): ${detail}.`, { cause: err });
    case code.startsWith('57P') || code.startsWith('08'):
      return phase === 'connect'
        ? new ReportError('Unreachable', `The database server refused the connection: ${detail}.`, { cause: err })
        : new ReportError('ConnectionLost', `The connection to the database was lost: ${detail}. The rows cached so far are kept; resume when the server is back.`, { cause: err });
    // Class 25 besides 25006: the statement tried to change the report's transaction (e.g. set_config('transaction_read_only', …)).
    case code.startsWith('42') || code.startsWith('22') || code.startsWith('0A') || code.startsWith('25') || code === '34000':
      return new ReportError('InvalidQuery', `The database rejected the query: ${detail}.`, { cause: err });
    default:
      return new ReportError('Internal', `Unexpected database error${code ? ` ${code}` : ''}: ${detail}`, { cause: err });
  }
}

/** SQLite's word that a file is damaged, or not a database at all. */
function isDamagedFile(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB');
}

/** A damaged report file read from the cache is CacheCorrupt, naming the file; any other error passes through. */
export function asCacheError(err: unknown, file: string): unknown {
  if (!isDamagedFile(err)) return err;
  const detail = err instanceof Error ? err.message : String(err);
  return new ReportError('CacheCorrupt', `The report file ${file} is damaged (${detail}), so its rows cannot be read. Delete the report and run it again.`, { cause: err });
}

export function toAppError(err: unknown): AppError {
  if (isReportError(err)) return { kind: err.kind, message: err.message };
  if (isDamagedFile(err)) return { kind: 'CacheCorrupt', message: `A file in the report cache is damaged (${(err as Error).message}). Delete the report it belongs to and run it again.` };
  const message = err instanceof Error ? err.message : String(err);
  return { kind: 'Internal', message: `Unexpected error: ${message}` };
}
