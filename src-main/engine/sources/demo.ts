// The built-in Demo source: a deterministic SQLite database of generated
// orders (varied types, NULLs, unicode), so the product works with no server.
import { existsSync, renameSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';

export const DEMO_ROWS = 250_000;
/** Bump when the generated data changes, so old demo files are rebuilt. */
const DEMO_VERSION = 1;

const CUSTOMERS = [
  'Ada Lovelace', 'Grace Hopper', 'Zoë Ångström', 'José Núñez', 'Ærø Østergaard', '王小明', '山田 太郎', 'Олег Петров',
  'محمد علي', 'Łukasz Żółć', 'Chloé Dubois', 'Søren Kierkegaard', 'Nguyễn Văn A', 'Kwame Nkrumah', 'O\'Brien & Sons',
  'ACME, Inc.', '"Quoted" Ltd', 'Müller GmbH', 'Iñtërnâtiônàl', '🚀 Rocket Co',
];
const COUNTRIES = ['DE', 'FR', 'US', 'GB', 'JP', 'CN', 'BR', 'IN', 'ES', 'IT', 'NL', 'SE', 'PL', 'UA', 'EG'];
const PRODUCTS = [
  ['Widget', 4.5], ['Gadget', 12.99], ['Gizmo', 99.0], ['Doohickey', 0.35], ['Thingamajig', 1499.95],
  ['Sprocket', 7.25], ['Flange', 23.1], ['Café crème', 3.2], ['Tea – green', 5.75], ['Über-Kabel 2m', 18.4],
] as const;
const STATUSES = ['new', 'paid', 'shipped', 'delivered', 'returned', 'cancelled'];
const NOTES = [
  'Leave at the door', 'Call before delivery, please', 'Gift wrap: "Happy birthday!"', 'Fragile\nHandle with care',
  '=HYPERLINK("http://example.com")', '<b>rush</b>', 'Rückruf erbeten', '配達前に電話してください', '👍 thanks', '',
];

/** mulberry32: small, fast and the same on every machine, so the demo data is too. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Creates the demo database at `path` unless a current one is there. Writes beside it and renames, so a half-made file is never used. */
export function ensureDemoDatabase(path: string, rows = DEMO_ROWS): string {
  if (existsSync(path)) {
    try {
      const db = new Database(path, { readonly: true, fileMustExist: true });
      const version = db.pragma('user_version', { simple: true });
      const count = db.prepare('SELECT count(*) FROM orders').pluck().get();
      db.close();
      if (version === DEMO_VERSION && count === rows) return path;
    } catch {
      // damaged or old: rebuild below
    }
  }
  const temp = `${path}.building-${process.pid}`;
  rmSync(temp, { force: true });
  const db = new Database(temp);
  db.pragma('journal_mode = OFF');
  db.exec(`
    CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT NOT NULL, unit_price NUMERIC(12,2) NOT NULL);
    CREATE TABLE orders (
      id INTEGER PRIMARY KEY,
      order_no TEXT NOT NULL,
      ordered_at TIMESTAMP NOT NULL,
      customer TEXT,
      country TEXT NOT NULL,
      product TEXT NOT NULL,
      quantity INTEGER NOT NULL,
      unit_price NUMERIC(12,2) NOT NULL,
      total NUMERIC(14,2) NOT NULL,
      status TEXT NOT NULL,
      paid BOOLEAN NOT NULL,
      shipped_on DATE,
      note TEXT
    );
    CREATE VIEW orders_by_country AS
      SELECT country, count(*) AS orders, round(sum(total), 2) AS revenue FROM orders GROUP BY country;
  `);
  const next = random(20240101);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  const insertProduct = db.prepare('INSERT INTO products VALUES (?, ?, ?)');
  const insertOrder = db.prepare('INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const start = Date.UTC(2024, 0, 1);
  db.transaction(() => {
    PRODUCTS.forEach(([name, price], i) => insertProduct.run(i + 1, name, price));
    for (let id = 1; id <= rows; id++) {
      const [product, price] = pick(PRODUCTS);
      const quantity = 1 + Math.floor(next() * 20);
      const at = new Date(start + Math.floor(next() * 730 * 86_400_000) + Math.floor(next() * 1_000_000) / 1000);
      const micros = Math.floor(next() * 1_000_000);
      const orderedAt = `${at.getUTCFullYear()}-${pad(at.getUTCMonth() + 1)}-${pad(at.getUTCDate())} ${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}:${pad(at.getUTCSeconds())}.${pad(micros, 6)}+00`;
      const status = pick(STATUSES);
      const shipped = status === 'shipped' || status === 'delivered' || status === 'returned';
      const shipDate = new Date(at.getTime() + (1 + Math.floor(next() * 10)) * 86_400_000);
      insertOrder.run(
        id,
        `SO-${pad(id, 7)}`,
        orderedAt,
        next() < 0.04 ? null : pick(CUSTOMERS),
        pick(COUNTRIES),
        product,
        quantity,
        price,
        Math.round(price * 100 * quantity) / 100,
        status,
        status === 'new' ? 'f' : 't',
        shipped ? `${shipDate.getUTCFullYear()}-${pad(shipDate.getUTCMonth() + 1)}-${pad(shipDate.getUTCDate())}` : null,
        next() < 0.7 ? null : pick(NOTES),
      );
    }
  })();
  db.pragma(`user_version = ${DEMO_VERSION}`);
  db.close();
  renameSync(temp, path);
  return path;
}
