// PostgreSQL source: the catalog for datasets, a server-side cursor inside a
// read-only transaction for the rows, a second connection for the exact count
// and for cancelling. Every value arrives as PostgreSQL's own text.
import type pg from 'pg';
import Cursor from 'pg-cursor';
import type { ColumnInfo, ConnectionTestResult, Dataset, ReportDefinition } from '../../../src-preload/contract.ts';
import { ReportError, fromPostgresError } from '../errors.ts';
import { buildCountQuery, buildReportQuery, planOrder, type PreparedReport, quoteIdent } from './report-query.ts';
import { type ChunkReader, type ReaderOptions, type ReportSource, kindOfType } from './source.ts';
import {
  CLOSE_TIMEOUT_MS,
  PG_QUERY_TIMEOUT,
  type PostgresConnection,
  connect,
  destroy,
  endQuietly,
  processIdOf,
  streamOf,
  withTimeout,
} from './postgres-connection.ts';
import { checkReadOnlySql } from './sql-guard.ts';

/**
 * How long a report's connection may stay silent before the reader asks the server, from a
 * second connection, whether the backend is still working on the report. Only a failed check
 * ends the read, so a slow first row (a big sort) is never cut for being slow. 0 turns it off.
 */
export const DEFAULT_READ_TIMEOUT_MS = 30_000;

/** The longest the check on a silent connection may take; it starts this long before the read timeout is up. */
const PROBE_BUDGET_MAX_MS = 5_000;

const CATALOG_SQL = `
  SELECT c.oid, n.nspname AS schema, c.relname AS table, c.relkind AS relkind,
         c.reltuples::float8 AS reltuples, has_table_privilege(c.oid, 'SELECT') AS can_select,
         n.nspname = ANY (current_schemas(false)) AS visible
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'v', 'm', 'p', 'f')
    AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'`;

const COLUMNS_SQL = `
  SELECT a.attrelid AS oid, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, NOT a.attnotnull AS nullable,
         coalesce(a.attnum = ANY (i.indkey), false) AS in_pk, array_position(i.indkey, a.attnum) AS pk_pos
  FROM pg_attribute a LEFT JOIN pg_index i ON i.indrelid = a.attrelid AND i.indisprimary
  WHERE a.attrelid = ANY ($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
  ORDER BY a.attrelid, a.attnum`;

interface CatalogRow {
  oid: string;
  schema: string;
  table: string;
  relkind: string;
  reltuples: string;
  can_select: string;
  visible: string;
}

export interface PostgresSourceOptions {
  /**
   * How long a short query (catalog, column check, estimate, connection test) may wait for its answer
   * before the connection is treated as dead; the report's own cursor is guarded by the read timeout
   * instead. Default DEFAULT_READ_TIMEOUT_MS; 0 turns it off.
   */
  answerTimeoutMs?: number;
}

export class PostgresSource implements ReportSource {
  private readonly answerTimeoutMs: number;

  constructor(
    readonly label: string,
    private readonly connection: PostgresConnection,
    options: PostgresSourceOptions = {},
  ) {
    this.answerTimeoutMs = options.answerTimeoutMs ?? DEFAULT_READ_TIMEOUT_MS;
  }

  /** A connection for short queries: a link that dies after login fails them within answerTimeoutMs instead of hanging on TCP. */
  private async withClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
    const { client } = await connect(this.connection, this.answerTimeoutMs);
    try {
      return await work(client);
    } catch (err) {
      if (err instanceof Error && err.message === PG_QUERY_TIMEOUT) {
        const seconds = Math.round(this.answerTimeoutMs / 100) / 10;
        throw new ReportError('ConnectionLost', `The database did not answer for ${seconds} s after accepting the login, so the connection is treated as lost. Check the network or VPN and try again.`, { cause: err });
      }
      throw fromPostgresError(err, 'run', 'the query');
    } finally {
      await endQuietly(client);
    }
  }

  async test(): Promise<ConnectionTestResult> {
    const started = Date.now();
    return this.withClient(async (client) => {
      const { rows } = await client.query(`SELECT current_setting('server_version') AS version, current_user AS "user", current_database() AS database`);
      const row = rows[0] as { version: string; user: string; database: string };
      return { serverVersion: row.version, user: row.user, database: row.database, ms: Date.now() - started };
    });
  }

  private async catalog(client: pg.Client, where = '', params: unknown[] = []): Promise<Dataset[]> {
    const relations = (await client.query(`${CATALOG_SQL} ${where} ORDER BY n.nspname, c.relname`, params)).rows as CatalogRow[];
    if (relations.length === 0) return [];
    const columnRows = (await client.query(COLUMNS_SQL, [relations.map((r) => r.oid)])).rows as Record<string, string | null>[];
    return relations.map((relation) => {
      const own = columnRows.filter((c) => c.oid === relation.oid);
      const columns: ColumnInfo[] = own.map((c) => ({
        name: c.name as string,
        type: c.type as string,
        kind: kindOfType(c.type as string),
        nullable: c.nullable === 't',
      }));
      const primaryKey = own
        .filter((c) => c.in_pk === 't')
        .sort((a, b) => Number(a.pk_pos) - Number(b.pk_pos))
        .map((c) => c.name as string);
      const reltuples = Number(relation.reltuples);
      const isView = relation.relkind === 'v';
      return {
        name: relation.visible === 't' && relation.schema === 'public' ? relation.table : `${relation.schema}.${relation.table}`,
        schema: relation.schema,
        table: relation.table,
        type: isView ? 'view' : 'table',
        estimatedRows: isView || reltuples < 0 ? null : Math.round(reltuples),
        columns,
        primaryKey,
        canSelect: relation.can_select === 't',
      } as Dataset & { canSelect: boolean };
    });
  }

  async listDatasets(): Promise<Dataset[]> {
    return this.withClient(async (client) => {
      const all = (await this.catalog(client)) as (Dataset & { canSelect: boolean })[];
      return all.filter((d) => d.canSelect).map(({ canSelect: _canSelect, ...dataset }) => dataset);
    });
  }

  /** Finds a dataset by its name as typed (`table` or `schema.table`), through the catalog and parameters only. */
  private async resolveDataset(client: pg.Client, name: string): Promise<Dataset> {
    const dot = name.indexOf('.');
    const candidates = (await this.catalog(
      client,
      `AND ((n.nspname = $1 AND c.relname = $2) OR (c.relname = $3 AND n.nspname = ANY (current_schemas(false))))`,
      [dot > 0 ? name.slice(0, dot) : null, dot > 0 ? name.slice(dot + 1) : null, name],
    )) as (Dataset & { canSelect: boolean })[];
    const found = candidates[0];
    if (!found) {
      throw new ReportError('NotFound', `The dataset "${name}" does not exist in ${this.label}. Check the name, or pick one from the dataset list.`);
    }
    if (!found.canSelect) {
      throw new ReportError('PermissionDenied', `Your role may not read "${name}". Ask the database owner to GRANT SELECT on it.`);
    }
    return found;
  }

  async prepare(definition: ReportDefinition): Promise<PreparedReport> {
    return this.withClient(async (client) => {
      let from: string;
      let available: ColumnInfo[];
      let uniqueKey: string[];
      let catalogEstimate: number | null = null;
      if (definition.dataset !== undefined) {
        const dataset = await this.resolveDataset(client, definition.dataset);
        from = `${quoteIdent(dataset.schema)}.${quoteIdent(dataset.table)}`;
        available = dataset.columns;
        uniqueKey = definition.key?.length ? definition.key : dataset.primaryKey;
        catalogEstimate = dataset.estimatedRows;
      } else {
        const sql = checkReadOnlySql(definition.sql ?? '');
        from = `(${sql})`;
        available = await this.describe(client, from);
        uniqueKey = definition.key ?? [];
      }
      const report = assembleReport(from, available, definition, uniqueKey);
      return report.filters.length === 0 ? { ...report, catalogEstimate } : report;
    });
  }

  /** The columns a statement returns, without running it: LIMIT 0 in a read-only transaction. */
  private async describe(client: pg.Client, from: string): Promise<ColumnInfo[]> {
    await client.query('BEGIN READ ONLY');
    try {
      const result = await client.query({ text: `SELECT * FROM ${from} AS report LIMIT 0`, rowMode: 'array' });
      const oids = [...new Set(result.fields.map((f) => f.dataTypeID))];
      const types = await client.query(`SELECT oid::int AS oid, format_type(oid, NULL) AS name FROM pg_type WHERE oid = ANY ($1::oid[])`, [oids]);
      const typeName = new Map(types.rows.map((r: { oid: string; name: string }) => [Number(r.oid), r.name]));
      const seen = new Set<string>();
      return result.fields.map((field) => {
        if (seen.has(field.name)) throw new ReportError('InvalidQuery', `The statement returns the column "${field.name}" twice; give each column its own name.`);
        seen.add(field.name);
        const type = typeName.get(field.dataTypeID) ?? 'text';
        return { name: field.name, type, kind: kindOfType(type), nullable: true };
      });
    } finally {
      await client.query('ROLLBACK').catch(() => {});
    }
  }

  async estimateRows(report: PreparedReport): Promise<number | null> {
    if (report.catalogEstimate != null) return report.catalogEstimate;
    const query = buildReportQuery(report, 'postgres');
    return this.withClient(async (client) => {
      await client.query('BEGIN READ ONLY');
      const { rows } = await client.query(`EXPLAIN (FORMAT JSON) ${query.text}`, query.values);
      await client.query('ROLLBACK');
      const plan = JSON.parse(String((rows[0] as Record<string, string>)['QUERY PLAN'])) as { Plan: { 'Plan Rows': number } }[];
      const estimate = plan[0]?.Plan['Plan Rows'];
      return typeof estimate === 'number' ? estimate : null;
    }).catch(() => null);
  }

  async countRows(report: PreparedReport, signal: AbortSignal): Promise<number> {
    const query = buildCountQuery(report, 'postgres');
    const { client } = await connect(this.connection);
    const stop = () => void this.cancelBackend(processIdOf(client)).finally(() => endQuietly(client));
    signal.addEventListener('abort', stop, { once: true });
    try {
      await client.query('BEGIN READ ONLY');
      const { rows } = await client.query(query.text, query.values);
      return Number((rows[0] as { count: string }).count);
    } catch (err) {
      throw fromPostgresError(err, 'run', 'the row count');
    } finally {
      signal.removeEventListener('abort', stop);
      await endQuietly(client);
    }
  }

  /** Stops whatever a backend is running, from a connection of its own. */
  async cancelBackend(pid: number | undefined): Promise<void> {
    if (!pid) return;
    await withTimeout(
      this.withClient((client) => client.query('SELECT pg_cancel_backend($1)', [pid])).catch(() => undefined),
      CLOSE_TIMEOUT_MS,
    );
  }

  /**
   * Whether backend `pid` is still at work on a statement, asked from a connection of its own within
   * `budgetMs` in all. A backend that waits to read from us or to write to us, or is gone, means our
   * link is dead; so does a server that cannot be asked in time.
   */
  private async backendAtWork(pid: number | undefined, budgetMs: number): Promise<boolean> {
    if (!pid) return false;
    const deadline = Date.now() + budgetMs;
    try {
      const { client } = await connect({ ...this.connection, connectTimeoutMs: budgetMs });
      const timer = setTimeout(() => destroy(client), Math.max(0, deadline - Date.now()));
      try {
        const { rows } = await client.query(`SELECT state, wait_event_type FROM pg_stat_activity WHERE pid = $1`, [pid]);
        const backend = rows[0] as { state: string | null; wait_event_type: string | null } | undefined;
        // Between cursor reads a backend stays 'active', waiting on ClientRead; 'Client' waits are waits for us.
        return backend?.state === 'active' && backend.wait_event_type !== 'Client';
      } finally {
        clearTimeout(timer);
        // Not awaited: the verdict is in, and a dead link's close must not spend the budget.
        void endQuietly(client);
      }
    } catch {
      return false;
    }
  }

  async openReader(report: PreparedReport, after: (string | null)[] | null, chunkSize: number, options: ReaderOptions = {}): Promise<ChunkReader> {
    const query = buildReportQuery(report, 'postgres', after);
    const readTimeoutMs = options.readTimeoutMs ?? DEFAULT_READ_TIMEOUT_MS;
    const { client, lost } = await connect({
      ...this.connection,
      connectTimeoutMs: Math.min(this.connection.connectTimeoutMs ?? 10_000, readTimeoutMs),
    });
    const pid = processIdOf(client);
    const stream = streamOf(client);
    let heardAt = Date.now();
    stream?.on('data', () => {
      heardAt = Date.now();
    });
    // A half-open link (a dead NAT entry, a pulled cable) never errors and TCP keepalive takes
    // minutes to notice, so a silent wait is checked from outside, then the socket is ended. The
    // check starts early enough to finish within the read timeout: a dead link is cut when it is up.
    const probeBudgetMs = Math.min(PROBE_BUDGET_MAX_MS, readTimeoutMs / 2);
    const askAfterMs = readTimeoutMs - probeBudgetMs;
    const whileListening = async <T>(work: Promise<T>): Promise<T> => {
      if (!(readTimeoutMs > 0 && Number.isFinite(readTimeoutMs))) return work;
      heardAt = Date.now();
      let timer: NodeJS.Timeout | undefined;
      let settled = false;
      const cut = () => {
        const seconds = Math.round(readTimeoutMs / 100) / 10;
        destroy(client, new ReportError('ConnectionLost', `Nothing came from the database for ${seconds} s and it did not confirm that it is still working on the report, so the connection is treated as lost. The rows cached so far are kept; resume when the server is back.`));
      };
      const check = async (): Promise<void> => {
        if (settled) return;
        const quietMs = Date.now() - heardAt;
        if (quietMs < askAfterMs) {
          timer = setTimeout(() => void check(), askAfterMs - quietMs).unref();
          return;
        }
        const asked = heardAt;
        const atWork = await this.backendAtWork(pid, probeBudgetMs);
        if (settled) return;
        if (atWork) heardAt = Date.now();
        if (atWork || heardAt !== asked) {
          void check();
          return;
        }
        // The server does not vouch for the link: it is cut once the read timeout is up, unless bytes arrive first.
        const leftMs = readTimeoutMs - (Date.now() - heardAt);
        if (leftMs <= 0) return cut();
        timer = setTimeout(() => {
          if (settled) return;
          if (heardAt === asked) cut();
          else void check();
        }, leftMs).unref();
      };
      timer = setTimeout(() => void check(), askAfterMs).unref();
      try {
        return await work;
      } finally {
        settled = true;
        clearTimeout(timer);
      }
    };
    try {
      await whileListening(client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY'));
    } catch (err) {
      await endQuietly(client);
      throw fromPostgresError(lost() ?? err, 'run');
    }
    const cursor = client.query(new Cursor<(string | null)[]>(query.text, query.values, { rowMode: 'array' }));
    let cancelled = false;
    let closed = false;
    let reading: Promise<unknown> | null = null;
    return {
      read: async () => {
        let rows: (string | null)[][];
        const pending = whileListening(cursor.read(chunkSize));
        reading = pending;
        try {
          rows = await pending;
        } catch (err) {
          if (cancelled) return [];
          throw fromPostgresError(lost() ?? err, 'run');
        } finally {
          reading = null;
        }
        // An empty read after the connection broke is not the end of the data (node-postgres #3768).
        const broken = lost();
        if (rows.length === 0 && broken && !cancelled) throw fromPostgresError(broken, 'run');
        return rows;
      },
      cancel: async () => {
        cancelled = true;
        await this.cancelBackend(pid);
        // A dead link never brings the server's answer to the cancel: drop it so the pending read ends now.
        const pending = reading;
        if (pending && (await withTimeout(pending.then(() => true, () => true), CLOSE_TIMEOUT_MS)) === undefined) destroy(client);
      },
      close: async () => {
        if (closed) return;
        closed = true;
        if (!lost()) {
          await withTimeout(cursor.close().catch(() => {}), CLOSE_TIMEOUT_MS);
          await withTimeout(client.query('ROLLBACK').catch(() => {}), CLOSE_TIMEOUT_MS);
        }
        await endQuietly(client);
      },
    };
  }

  async close(): Promise<void> {}
}

/** Applies a definition's columns, filters and sort to what the source offers. */
export function assembleReport(from: string, available: ColumnInfo[], definition: ReportDefinition, uniqueKey: string[]): PreparedReport {
  const byName = new Map(available.map((c) => [c.name, c]));
  const missing = (name: string) => new ReportError('InvalidArgument', `The report has no column "${name}". Columns: ${available.map((c) => c.name).join(', ')}.`);
  for (const name of [...(definition.columns ?? []), ...uniqueKey, ...(definition.sort ?? []).map((s) => s.column), ...(definition.filters ?? []).map((f) => f.column)]) {
    if (!byName.has(name)) throw missing(name);
  }
  // Key and sort columns are always cached: resume needs their values.
  const wanted = definition.columns?.length ? [...definition.columns] : available.map((c) => c.name);
  for (const name of [...(definition.sort ?? []).map((s) => s.column), ...uniqueKey]) if (!wanted.includes(name)) wanted.push(name);
  const columns = [...new Set(wanted)].map((name) => byName.get(name) as ColumnInfo);
  const plan = planOrder(columns, definition.sort, uniqueKey);
  return { from, columns, available, filters: definition.filters ?? [], ...plan };
}
