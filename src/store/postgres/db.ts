// The connection pool and the two ways this store talks to it: one named query, or several in one
// transaction. Named queries are prepared once per connection (the SQLite store's statement cache,
// in PostgreSQL's terms); every value goes in as a parameter.
import pg from 'pg';

/** A named, parameterised query: prepared once per connection under `name`. */
export interface Query {
  name: string;
  text: string;
}

/** A pool or one checked-out client: what a query runs on. */
export type Db = pg.Pool | pg.PoolClient;

const INT8 = 20;

/**
 * Times are bigint milliseconds and counts come back as bigint; node-postgres hands int8 over as
 * a string (it may exceed 2^53). Milliseconds stay below 2^53 for another 285,000 years, so this
 * pool reads them as numbers. Set on the pool, not on pg's global parsers, so nothing else in the
 * process is affected.
 */
const types: pg.CustomTypesConfig = {
  getTypeParser: (oid: number, format?: 'text' | 'binary'): unknown =>
    oid === INT8 ? Number : pg.types.getTypeParser(oid, format),
};

export function createPool(url: string, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, types });
  // An idle client whose server went away emits here; without a listener it would crash the
  // process. The pool drops that client and the next query gets a fresh one.
  pool.on('error', () => {});
  return pool;
}

export async function rows<R extends pg.QueryResultRow>(db: Db, q: Query, values: unknown[] = []): Promise<R[]> {
  return (await db.query<R>({ name: q.name, text: q.text, values })).rows;
}

export async function one<R extends pg.QueryResultRow>(db: Db, q: Query, values: unknown[] = []): Promise<R | null> {
  return (await rows<R>(db, q, values))[0] ?? null;
}

/** Rows the statement changed. */
export async function changed(db: Db, q: Query, values: unknown[] = []): Promise<number> {
  return (await db.query({ name: q.name, text: q.text, values })).rowCount ?? 0;
}

/** Runs `fn` in one transaction on one client: committed if it returns, rolled back if it throws. */
export async function transaction<T>(pool: pg.Pool, fn: (tx: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    // A client that cannot even roll back is dropped from the pool, not handed to the next caller.
    await client.query('ROLLBACK').catch((e: unknown) => (broken = e instanceof Error ? e : new Error(String(e))));
    throw err;
  } finally {
    client.release(broken);
  }
}
