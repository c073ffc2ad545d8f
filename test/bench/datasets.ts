// The benchmark's orders tables, made in PostgreSQL with generate_series and
// kept between runs: a table whose comment names this layout and its size is reused.
import pg from 'pg';

/** Bump when the table layout or its values change, so old tables are rebuilt. */
const LAYOUT = 'reportstream-bench orders v2';

export const BENCH_DATABASE = 'reportstream_bench';

export const datasetName = (rows: number): string => `bench_orders_${rows}`;

/** Ten columns as an orders export has them: ints, text with unicode, quotes and newlines, numeric, timestamptz, booleans, NULLs. */
const FILL_SQL = (table: string, rows: number): string => `
  INSERT INTO ${table}
  SELECT g,
         (g * 7919) % 50000 + 1,
         (ARRAY['Anna Müller', 'José Álvarez', 'Zoë Ørsted', '李雷', 'Иван Петров', 'O''Brien, Pat', 'Chloé "CJ" Dubois', 'Åsa Ström'])[1 + g % 8] || ' #' || g % 1000,
         CASE WHEN g % 10 = 0 THEN NULL ELSE 'customer' || (g * 7919) % 50000 || '@example.com' END,
         (ARRAY['new', 'paid', 'shipped', 'delivered', 'cancelled'])[1 + g % 5],
         round(((g * 37) % 100000) / 100.0 + 0.99, 2),
         1 + g % 9,
         timestamptz '2024-01-01 00:00:00+00' + g * interval '31.123457 seconds',
         CASE WHEN g % 7 = 0 THEN NULL ELSE g % 3 = 0 END,
         CASE g % 5 WHEN 0 THEN NULL WHEN 1 THEN 'Leave at the door' WHEN 2 THEN 'Fragile, handle with care ☂'
                    WHEN 3 THEN E'Gift wrap\\nno invoice' ELSE '' END
  FROM generate_series(1::bigint, ${rows}) AS g`;

const CREATE_SQL = (table: string): string => `
  CREATE TABLE ${table} (
    id bigint PRIMARY KEY, customer_id integer NOT NULL, customer_name text NOT NULL, email text,
    status text NOT NULL, amount numeric(12, 2) NOT NULL, quantity integer NOT NULL,
    ordered_at timestamptz NOT NULL, is_gift boolean, note text)`;

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function connected(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** The URL of the benchmark database on the server at `serverUrl`, created when missing. */
export async function benchDatabase(serverUrl: string): Promise<string> {
  const admin = await connected(serverUrl);
  try {
    const exists = await admin.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [BENCH_DATABASE]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${BENCH_DATABASE}`);
    return withDatabase(serverUrl, BENCH_DATABASE);
  } catch (err) {
    // A role that may not create databases benchmarks in the one it was given.
    if ((err as { code?: string }).code === '42501') return serverUrl;
    throw err;
  } finally {
    await admin.end();
  }
}

/** Makes sure an orders table of each size exists, building the missing ones. */
export async function ensureDatasets(url: string, sizes: number[], log: (line: string) => void): Promise<void> {
  const client = await connected(url);
  try {
    for (const rows of sizes) {
      const table = datasetName(rows);
      const marker = `${LAYOUT}, ${rows} rows`;
      const found = await client.query(`SELECT obj_description(to_regclass($1), 'pg_class') AS comment`, [table]);
      if (found.rows[0]?.comment === marker) continue;
      const started = Date.now();
      log(`building ${table} …`);
      await client.query(`DROP TABLE IF EXISTS ${table}`);
      await client.query(CREATE_SQL(table));
      await client.query(FILL_SQL(table, rows));
      // VACUUM sets hint bits and the visibility map now, so the first measured case is not the one that pays for them.
      await client.query(`VACUUM ANALYZE ${table}`);
      await client.query(`COMMENT ON TABLE ${table} IS '${marker}'`);
      log(`built ${table} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
  } finally {
    await client.end();
  }
}
