// node test/support/pglite-query.mjs <pgdata dir> <sql> [params as JSON]: runs one statement on a
// PGlite data folder and prints its rows as JSON. In a child process: PGlite's WASM is slow to
// load through Jest's module transform.
import { PGlite } from '@electric-sql/pglite';

const [dir, sql, params] = process.argv.slice(2);
const pg = new PGlite(dir);
try {
  const { rows } = await pg.query(sql, params ? JSON.parse(params) : []);
  process.stdout.write(JSON.stringify(rows));
} finally {
  await pg.close();
}
