// The library: a small SQLite database that indexes the run files, and keeps
// PostgreSQL profiles and the record of every export. Migrations are numbered,
// run in a transaction, set user_version, and refuse a database from the future.
import Database from 'better-sqlite3';
import type { AppError, ExportSummary, PostgresProfile, RunStatus } from '../../../src-preload/contract.ts';
import { ReportError } from '../errors.ts';
import { type RunHeader, type RunState, stateFromRow } from './run-file.ts';

const MIGRATIONS: readonly string[] = [
  // 1: runs, profiles, exports
  `CREATE TABLE runs (
     run_id TEXT PRIMARY KEY, file TEXT NOT NULL, header TEXT NOT NULL, status TEXT NOT NULL,
     rows_cached INTEGER NOT NULL DEFAULT 0, total_rows INTEGER, total_exact INTEGER NOT NULL DEFAULT 0,
     created_at TEXT NOT NULL, started_at TEXT, ended_at TEXT, active_ms INTEGER NOT NULL DEFAULT 0,
     first_chunk_ms INTEGER, peak_rss_mb REAL, error_kind TEXT, error_message TEXT, name TEXT NOT NULL);
   CREATE INDEX runs_by_created ON runs (created_at);
   CREATE TABLE profiles (profile_id TEXT PRIMARY KEY, profile TEXT NOT NULL, created_at TEXT NOT NULL);
   CREATE TABLE exports (
     export_id TEXT PRIMARY KEY, run_id TEXT NOT NULL, record TEXT NOT NULL, status TEXT NOT NULL, started_at TEXT NOT NULL);
   CREATE INDEX exports_by_run ON exports (run_id);`,
  // 2: which process is running a run, so that another process sharing the cache does not call it interrupted
  `ALTER TABLE runs ADD COLUMN owner_pid INTEGER;`,
  // 3: the same for exports
  `ALTER TABLE exports ADD COLUMN owner_pid INTEGER;`,
  // 4: when the owner last said it is alive: after a reboot another process may carry a dead owner's pid
  `ALTER TABLE runs ADD COLUMN owner_seen_at INTEGER;
   ALTER TABLE exports ADD COLUMN owner_seen_at INTEGER;`,
];

/** A run as the library indexes it: the run file's header and last known state. */
export interface RunRecord {
  file: string;
  header: RunHeader;
  name: string;
  state: RunState;
  /** The process running it, while it is queued or running. */
  ownerPid?: number | null;
  /** When that process last said it is alive (epoch ms). */
  ownerSeenAt?: number | null;
}

export class Library {
  private readonly db: Database.Database;

  constructor(path: string) {
    try {
      this.db = new Database(path);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('busy_timeout = 5000');
      this.migrate();
    } catch (err) {
      if (err instanceof ReportError) throw err;
      throw new ReportError('CacheCorrupt', `The library ${path} cannot be opened: ${(err as Error).message}. Move it aside to start a new one.`, { cause: err });
    }
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version > MIGRATIONS.length) {
      throw new ReportError('CacheCorrupt', `The library was written by a newer ReportStream (schema ${version}); update the app.`);
    }
    MIGRATIONS.slice(version).forEach((sql, i) => {
      this.db.transaction(() => {
        this.db.exec(sql);
        this.db.pragma(`user_version = ${version + i + 1}`);
      })();
    });
  }

  // ── runs ──

  putRun(record: RunRecord): void {
    const { header, state } = record;
    this.db
      .prepare(
        `INSERT INTO runs (run_id, file, header, status, rows_cached, total_rows, total_exact, created_at, started_at, ended_at,
           active_ms, first_chunk_ms, peak_rss_mb, error_kind, error_message, name, owner_pid, owner_seen_at)
         VALUES (@runId, @file, @header, @status, @rowsCached, @totalRows, @totalExact, @createdAt, @startedAt, @endedAt,
           @activeMs, @firstChunkMs, @peakRssMB, @errorKind, @errorMessage, @name, @ownerPid, @ownerSeenAt)
         ON CONFLICT (run_id) DO UPDATE SET file = excluded.file, header = excluded.header, status = excluded.status,
           rows_cached = excluded.rows_cached, total_rows = excluded.total_rows, total_exact = excluded.total_exact,
           started_at = excluded.started_at, ended_at = excluded.ended_at, active_ms = excluded.active_ms,
           first_chunk_ms = excluded.first_chunk_ms, peak_rss_mb = excluded.peak_rss_mb,
           error_kind = excluded.error_kind, error_message = excluded.error_message, name = excluded.name, owner_pid = excluded.owner_pid,
           owner_seen_at = excluded.owner_seen_at`,
      )
      .run({
        runId: header.runId,
        file: record.file,
        header: JSON.stringify(header),
        status: state.status,
        rowsCached: state.rowsCached,
        totalRows: state.totalRows,
        totalExact: state.totalExact ? 1 : 0,
        createdAt: header.createdAt,
        startedAt: state.startedAt,
        endedAt: state.endedAt,
        activeMs: state.activeMs,
        firstChunkMs: state.firstChunkMs,
        peakRssMB: state.peakRssMB,
        errorKind: state.errorKind,
        errorMessage: state.errorMessage,
        name: record.name,
        ownerPid: state.status === 'queued' || state.status === 'running' ? process.pid : null,
        ownerSeenAt: state.status === 'queued' || state.status === 'running' ? Date.now() : null,
      });
  }

  /** This process is alive and still owns these runs and exports (see OWNER_HEARTBEAT_MS). */
  markAlive(runIds: string[], exportIds: string[]): void {
    const now = Date.now();
    this.db.transaction(() => {
      this.db.prepare(`UPDATE runs SET owner_seen_at = ? WHERE owner_pid = ? AND run_id IN (SELECT value FROM json_each(?))`).run(now, process.pid, JSON.stringify(runIds));
      this.db
        .prepare(`UPDATE exports SET owner_seen_at = ? WHERE owner_pid = ? AND export_id IN (SELECT value FROM json_each(?))`)
        .run(now, process.pid, JSON.stringify(exportIds));
    })();
  }

  getRun(runId: string): RunRecord | undefined {
    const row = this.db.prepare(`SELECT * FROM runs WHERE run_id = ?`).get(runId) as Record<string, unknown> | undefined;
    return row ? recordFromRow(row) : undefined;
  }

  listRuns(): RunRecord[] {
    return (this.db.prepare(`SELECT * FROM runs ORDER BY created_at DESC, run_id`).all() as Record<string, unknown>[]).map(recordFromRow);
  }

  runsWithStatus(statuses: RunStatus[]): RunRecord[] {
    const marks = statuses.map(() => '?').join(', ');
    return (this.db.prepare(`SELECT * FROM runs WHERE status IN (${marks})`).all(...statuses) as Record<string, unknown>[]).map(recordFromRow);
  }

  renameRun(runId: string, name: string): void {
    this.db.prepare(`UPDATE runs SET name = ? WHERE run_id = ?`).run(name, runId);
  }

  deleteRun(runId: string): void {
    this.db.transaction(() => {
      this.db.prepare(`DELETE FROM exports WHERE run_id = ?`).run(runId);
      this.db.prepare(`DELETE FROM runs WHERE run_id = ?`).run(runId);
    })();
  }

  // ── profiles ──

  putProfile(profile: PostgresProfile): void {
    this.db
      .prepare(
        `INSERT INTO profiles (profile_id, profile, created_at) VALUES (?, ?, ?)
         ON CONFLICT (profile_id) DO UPDATE SET profile = excluded.profile`,
      )
      .run(profile.id, JSON.stringify(profile), new Date().toISOString());
  }

  getProfile(profileId: string): PostgresProfile | undefined {
    const text = this.db.prepare(`SELECT profile FROM profiles WHERE profile_id = ?`).pluck().get(profileId) as string | undefined;
    return text === undefined ? undefined : (JSON.parse(text) as PostgresProfile);
  }

  listProfiles(): PostgresProfile[] {
    return (this.db.prepare(`SELECT profile FROM profiles ORDER BY created_at`).pluck().all() as string[]).map(
      (text) => JSON.parse(text) as PostgresProfile,
    );
  }

  removeProfile(profileId: string): void {
    this.db.prepare(`DELETE FROM profiles WHERE profile_id = ?`).run(profileId);
  }

  // ── exports ──

  /** Saves an export's record; a running export is marked as this process's. */
  putExport(record: ExportSummary): void {
    this.db
      .prepare(
        `INSERT INTO exports (export_id, run_id, record, status, started_at, owner_pid, owner_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (export_id) DO UPDATE SET record = excluded.record, status = excluded.status, owner_pid = excluded.owner_pid,
           owner_seen_at = excluded.owner_seen_at`,
      )
      .run(
        record.exportId,
        record.runId,
        JSON.stringify(record),
        record.status,
        record.startedAt,
        record.status === 'running' ? process.pid : null,
        record.status === 'running' ? Date.now() : null,
      );
  }

  /** Exports recorded as running, with the process that runs them. */
  runningExports(): { summary: ExportSummary; ownerPid: number | null; ownerSeenAt: number | null }[] {
    const rows = this.db.prepare(`SELECT record, owner_pid, owner_seen_at FROM exports WHERE status = 'running'`).all() as {
      record: string;
      owner_pid: number | null;
      owner_seen_at: number | null;
    }[];
    return rows.map((row) => ({ summary: JSON.parse(row.record) as ExportSummary, ownerPid: row.owner_pid, ownerSeenAt: row.owner_seen_at }));
  }

  listExports(runId?: string): ExportSummary[] {
    const rows = runId
      ? this.db.prepare(`SELECT record FROM exports WHERE run_id = ? ORDER BY started_at DESC`).pluck().all(runId)
      : this.db.prepare(`SELECT record FROM exports ORDER BY started_at DESC`).pluck().all();
    return (rows as string[]).map((text) => JSON.parse(text) as ExportSummary);
  }

  getExport(exportId: string): ExportSummary | undefined {
    const text = this.db.prepare(`SELECT record FROM exports WHERE export_id = ?`).pluck().get(exportId) as string | undefined;
    return text === undefined ? undefined : (JSON.parse(text) as ExportSummary);
  }

  // ── history ──

  /** Finished runs for the activity view: status, duration and error, newest first. */
  history(): { runId: string; name: string; status: RunStatus; activeMs: number; error: AppError | null; endedAt: string | null }[] {
    const rows = this.db
      .prepare(`SELECT run_id, name, status, active_ms, error_kind, error_message, ended_at FROM runs ORDER BY coalesce(ended_at, created_at) DESC`)
      .all() as Record<string, unknown>[];
    return rows.map((row) => ({
      runId: row.run_id as string,
      name: row.name as string,
      status: row.status as RunStatus,
      activeMs: row.active_ms as number,
      error: row.error_kind ? ({ kind: row.error_kind, message: row.error_message ?? '' } as AppError) : null,
      endedAt: (row.ended_at as string | null) ?? null,
    }));
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function recordFromRow(row: Record<string, unknown>): RunRecord {
  return {
    ownerPid: (row.owner_pid as number | null) ?? null,
    ownerSeenAt: (row.owner_seen_at as number | null) ?? null,
    file: row.file as string,
    header: JSON.parse(row.header as string) as RunHeader,
    name: row.name as string,
    state: stateFromRow(row),
  };
}
