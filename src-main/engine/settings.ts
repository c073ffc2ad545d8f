// Engine settings from the environment, the same for the desktop app, the CLI and
// the browser host: how many reports at once, chunk size, and how patient a run is
// with a silent or lost connection. A value that makes no sense stops the start
// with a message naming the variable, rather than being ignored.
import { ReportError } from './errors.ts';
import { MAX_CHUNK_SIZE } from './summaries.ts';

export interface EngineSettings {
  maxConcurrentRuns?: number;
  chunkSize?: number;
  readTimeoutMs?: number;
  noProgressTimeoutMs?: number;
  reconnectTries?: number;
}

interface Variable {
  name: string;
  setting: keyof EngineSettings;
  /** What the variable's number is turned into (seconds into milliseconds). */
  scale: number;
  min: number;
  max: number;
  meaning: string;
}

export const SETTING_VARIABLES: readonly Variable[] = [
  { name: 'REPORTSTREAM_MAX_RUNS', setting: 'maxConcurrentRuns', scale: 1, min: 1, max: 100, meaning: 'reports running at once (default 5)' },
  { name: 'REPORTSTREAM_CHUNK_ROWS', setting: 'chunkSize', scale: 1, min: 1, max: MAX_CHUNK_SIZE, meaning: 'rows per chunk (default 1,000)' },
  {
    name: 'REPORTSTREAM_READ_TIMEOUT_SECONDS',
    setting: 'readTimeoutMs',
    scale: 1000,
    min: 0,
    max: 3600,
    meaning: 'silence before a connection is checked and, if dead, dropped (default 30; 0 turns it off)',
  },
  {
    name: 'REPORTSTREAM_NO_PROGRESS_TIMEOUT_SECONDS',
    setting: 'noProgressTimeoutMs',
    scale: 1000,
    min: 1,
    max: 86_400,
    meaning: 'a run with no new rows for this long fails with Timeout (default 300)',
  },
  { name: 'REPORTSTREAM_RECONNECT_TRIES', setting: 'reconnectTries', scale: 1, min: 0, max: 20, meaning: 'reconnects after a lost connection (default 3)' },
];

/** The settings the environment gives; unset variables are left to the engine's defaults. */
export function settingsFromEnv(env: NodeJS.ProcessEnv): EngineSettings {
  const settings: EngineSettings = {};
  for (const variable of SETTING_VARIABLES) {
    const text = env[variable.name]?.trim();
    if (text === undefined || text === '') continue;
    const value = Number(text);
    if (!Number.isInteger(value) || value < variable.min || value > variable.max) {
      throw new ReportError(
        'InvalidArgument',
        `${variable.name} must be a whole number from ${variable.min} to ${variable.max} (${variable.meaning}), not "${text}".`,
      );
    }
    settings[variable.setting] = value * variable.scale;
  }
  return settings;
}
