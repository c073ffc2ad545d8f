// Knows every source the user has: the built-in Demo, saved PostgreSQL
// profiles (passwords in the host's secret store) and SQLite files, and turns
// a SourceRef into a ReportSource.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { PostgresProfile, ProfileInput, SourceInfo, SourceRef } from '../../../src-preload/contract.ts';
import type { Library } from '../cache/library.ts';
import { ReportError } from '../errors.ts';
import type { SecretStore } from '../secrets.ts';
import { ensureDemoDatabase } from './demo.ts';
import type { PostgresConnection } from './postgres-connection.ts';
import { PostgresSource, type PostgresSourceOptions } from './postgres.ts';
import type { ReportSource } from './source.ts';
import { SqliteSource } from './sqlite.ts';

export const DEMO_LABEL = 'Demo (built-in orders)';

export interface RegistryOptions {
  /** Where PGPASSWORD is read when a profile has no saved password. */
  env?: NodeJS.ProcessEnv;
  /** How long PostgreSQL's short queries wait for an answer (see PostgresSourceOptions). */
  answerTimeoutMs?: number;
}

export class SourceRegistry {
  private demo: SqliteSource | null = null;
  private readonly env: NodeJS.ProcessEnv;
  private readonly postgresOptions: PostgresSourceOptions;

  constructor(
    private readonly library: Library,
    private readonly secrets: SecretStore,
    private readonly cacheDir: string,
    options: RegistryOptions = {},
  ) {
    this.env = options.env ?? process.env;
    this.postgresOptions = options.answerTimeoutMs !== undefined ? { answerTimeoutMs: options.answerTimeoutMs } : {};
  }

  list(): SourceInfo[] {
    const demo: SourceInfo = { ref: { type: 'demo' }, label: DEMO_LABEL };
    const profiles = this.library.listProfiles().map((profile) => ({
      ref: { type: 'postgres', profileId: profile.id } as SourceRef,
      label: profile.name,
      profile: this.withPasswordFlag(profile),
    }));
    return [demo, ...profiles];
  }

  private withPasswordFlag(profile: PostgresProfile): PostgresProfile {
    return { ...profile, hasPassword: this.secrets.load(profile.id) !== undefined };
  }

  save(input: ProfileInput): PostgresProfile {
    const existing = input.id ? this.library.getProfile(input.id) : undefined;
    if (input.id && !existing) throw new ReportError('NotFound', `There is no saved connection with id ${input.id}.`);
    const id = input.id ?? randomUUID();
    if (input.password !== undefined && input.password !== '') {
      const status = this.secrets.status();
      if (!status.available) {
        throw new ReportError('Unsupported', `The password cannot be saved safely on this machine: ${status.reason ?? 'no secure storage'}. Nothing was stored in clear.`);
      }
      this.secrets.save(id, input.password);
    } else if (input.password === '') {
      this.secrets.remove(id);
    }
    const profile: PostgresProfile = {
      id,
      name: input.name.trim() || `${input.user}@${input.host}:${input.port}/${input.database}`,
      host: input.host,
      port: input.port,
      database: input.database,
      user: input.user,
      sslMode: input.sslMode,
      ...(input.replica ? { replica: input.replica } : {}),
      hasPassword: false,
    };
    this.library.putProfile(profile);
    return this.withPasswordFlag(profile);
  }

  remove(profileId: string): void {
    if (!this.library.getProfile(profileId)) throw new ReportError('NotFound', `There is no saved connection with id ${profileId}.`);
    this.library.removeProfile(profileId);
    this.secrets.remove(profileId);
  }

  label(ref: SourceRef): string {
    switch (ref.type) {
      case 'demo':
        return DEMO_LABEL;
      case 'sqlite':
        return ref.path;
      case 'postgres':
        return this.library.getProfile(ref.profileId)?.name ?? `connection ${ref.profileId}`;
      default: {
        const unknown: never = ref;
        throw new ReportError('InvalidArgument', `Unknown source ${JSON.stringify(unknown)}.`);
      }
    }
  }

  /** A source for `ref`; `forRuns` picks the read replica when the profile has one. */
  open(ref: SourceRef, forRuns = false): ReportSource {
    switch (ref.type) {
      case 'demo':
        this.demo ??= new SqliteSource(DEMO_LABEL, ensureDemoDatabase(join(this.cacheDir, 'demo.sqlite')));
        return this.demo;
      case 'sqlite':
        return new SqliteSource(ref.path, ref.path);
      case 'postgres': {
        const profile = this.library.getProfile(ref.profileId);
        if (!profile) throw new ReportError('NotFound', `The saved connection ${ref.profileId} no longer exists. Add it again under Sources.`);
        const target = forRuns && profile.replica ? profile.replica : profile;
        return new PostgresSource(profile.name, { ...this.connectionOf(profile), host: target.host, port: target.port }, this.postgresOptions);
      }
      default: {
        const unknown: never = ref;
        throw new ReportError('InvalidArgument', `Unknown source ${JSON.stringify(unknown)}.`);
      }
    }
  }

  /** A source for a profile that is not saved yet (the "Test" button of the form). */
  openUnsaved(input: ProfileInput): ReportSource {
    const saved = input.id ? this.secrets.load(input.id) : undefined;
    return new PostgresSource(input.name || input.host, {
      host: input.host,
      port: input.port,
      database: input.database,
      user: input.user,
      password: input.password || saved || this.env.PGPASSWORD,
      sslMode: input.sslMode,
    }, this.postgresOptions);
  }

  private connectionOf(profile: PostgresProfile): PostgresConnection {
    return {
      host: profile.host,
      port: profile.port,
      database: profile.database,
      user: profile.user,
      password: this.secrets.load(profile.id) ?? this.env.PGPASSWORD,
      sslMode: profile.sslMode,
    };
  }

  /** Closes a source opened for one run; the shared Demo stays open. */
  async release(source: ReportSource): Promise<void> {
    if (source !== this.demo) await source.close();
  }

  async close(): Promise<void> {
    await this.demo?.close();
    this.demo = null;
  }
}

/** A connection URL fit for a message: everything between `user:` and the last `@` (a password may hold `@` or `:`) masked. */
export const redactPassword = (url: string): string => url.replace(/^([^:/]+:\/\/[^:@/]*:).*@/, '$1***@');

/** Parses a `postgres://user:password@host:port/db?sslmode=…` URL into a profile input. */
export function profileFromUrl(url: string): ProfileInput {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ReportError('InvalidArgument', `"${redactPassword(url)}" is not a valid connection URL. Use postgres://user:password@host:5432/database.`);
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new ReportError('InvalidArgument', `A connection URL starts with postgres://, not ${parsed.protocol}//.`);
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || 'postgres';
  const user = decodeURIComponent(parsed.username) || 'postgres';
  const host = parsed.hostname || 'localhost';
  const port = parsed.port ? Number(parsed.port) : 5432;
  const sslmode = parsed.searchParams.get('sslmode');
  const sslMode = sslmode === 'require' || sslmode === 'verify-full' || sslmode === 'disable' ? sslmode : 'prefer';
  return {
    name: `${user}@${host}:${port}/${database}`,
    host,
    port,
    database,
    user,
    sslMode,
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
  };
}
