// A PostgreSQL server of a spec's own, for a spec that stops the server: the
// shared test server (or DATABASE_URL) must keep running for the other files.
import { startEmbeddedPostgres } from '../../support/postgres-server.ts';

export interface PrivatePostgres {
  url: string;
  port: number;
  stop(): Promise<void>;
  /** Stops the server and removes its data folder. */
  dispose(): Promise<void>;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const server = await startEmbeddedPostgres({ persistent: true });
  let running = true;
  const stop = async (): Promise<void> => {
    if (!running) return;
    running = false;
    await server.embedded.stop().catch(() => {});
  };
  return {
    url: server.url,
    port: server.port,
    stop,
    dispose: async () => {
      await stop();
      await server.stop();
    },
  };
}
