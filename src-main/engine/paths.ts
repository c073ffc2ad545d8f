// Where the cache lives: --cache DIR, else REPORTSTREAM_HOME, else the
// per-OS application data folder.
import { homedir, platform } from 'node:os';
import { join } from 'node:path';

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.REPORTSTREAM_HOME) return env.REPORTSTREAM_HOME;
  switch (platform()) {
    case 'win32':
      return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'ReportStream');
    case 'darwin':
      return join(homedir(), 'Library', 'Application Support', 'ReportStream');
    default:
      return join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'reportstream');
  }
}

export const runFileName = (runId: string): string => `${runId}.rsreport`;
