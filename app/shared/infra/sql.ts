import { Pool, type PoolClient, type QueryResultRow, types as pgTypes } from 'pg';
import Cursor from 'pg-cursor';
import { errorMessage } from '../kernel';
import { type Logger } from './logger';

// Plain SQL over the pg driver, for the queries the call path makes on every call.
//
// Why next to Prisma: Prisma 6's Rust-free client compiles every query in a WebAssembly query
// compiler on the event loop (no plan cache before Prisma 7.4): measured here ~800 us of CPU per
// findUnique, against ~70-90 us for the same query through pg (named prepared statements). With
// some twenty queries per call, that compilation was the controller's largest cost. Prisma stays
// for the admin API, migrations and everything off the per-call path.

export interface SqlQueries {
  // Rows of one statement. `name` makes it a prepared statement (parsed once per connection):
  // give one to every statement of the call path; it must be unique to the statement's text.
  query: <R extends QueryResultRow>(text: string, values?: readonly unknown[], name?: string) => Promise<R[]>;
}

export interface Sql extends SqlQueries {
  // Runs the work in one transaction on one connection: committed when it resolves, rolled back when
  // it throws (the error is rethrown).
  transaction: <T>(work: (tx: SqlQueries) => Promise<T>) => Promise<T>;
  // The rows of one statement in batches, read through a server-side cursor (pg-cursor) in a
  // read-only transaction without the statement timeout: for exports of any size, never held in
  // memory at once. Stopping the iteration early closes the cursor.
  batches: <R extends QueryResultRow>(text: string, values: readonly unknown[], batchSize: number) => AsyncGenerator<R[]>;
  end: () => Promise<void>;
}

// bigint columns come back as JavaScript bigints (money in minor units, counters), as Prisma gives
// them; the pool gets its own parsers, so the pg module's global defaults (which Prisma's adapter
// relies on) are left alone.
const INT8_OID = 20;
const parseInt8 = (value: string): bigint => BigInt(value);
const typeParsers = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary'): unknown =>
    oid === INT8_OID && format !== 'binary' ? parseInt8 : pgTypes.getTypeParser(oid, format ?? 'text')) as typeof pgTypes.getTypeParser,
};

function queriesOf(client: Pool | PoolClient): SqlQueries {
  return {
    query: async <R extends QueryResultRow>(text: string, values: readonly unknown[] = [], name?: string): Promise<R[]> => {
      const result = await client.query<R>(name ? { name, text, values: [...values] } : { text, values: [...values] });
      return result.rows;
    },
  };
}

export function createSql(options: { url: string; poolSize: number; statementTimeoutMs?: number; log: Logger }): Sql {
  const pool = new Pool({
    connectionString: options.url,
    max: options.poolSize,
    connectionTimeoutMillis: 5000,
    // A statement that waits on a lock or a sick server fails instead of holding a call.
    statement_timeout: options.statementTimeoutMs ?? 10_000,
    // Connections stay open while idle (pg's default closes them after 10 s): a new connection
    // parses every named statement again, which at a low call rate would be most calls.
    idleTimeoutMillis: 5 * 60_000,
    types: typeParsers,
  });
  // An idle connection that breaks (server restart) is dropped by the pool; the next query opens a
  // new one. Without a listener the error would crash the process.
  pool.on('error', (error) => options.log.warn('idle database connection lost', { error: errorMessage(error) }));
  const queries = queriesOf(pool);
  return {
    query: queries.query,
    transaction: async <T>(work: (tx: SqlQueries) => Promise<T>): Promise<T> => {
      const client = await pool.connect();
      // A connection whose ROLLBACK failed, or that broke under the work, is destroyed, not reused.
      let broken: Error | undefined;
      // The pool listens for errors of idle connections only: a checked-out connection that breaks
      // (server restart, pg_terminate_backend) emits 'error', which unheard would crash the process.
      // Its queries fail on their own, and so does the transaction.
      const onConnectionError = (error: Error): void => {
        broken = error;
        options.log.warn('database connection lost in a transaction', { error: errorMessage(error) });
      };
      client.on('error', onConnectionError);
      try {
        await client.query('BEGIN');
        const result = await work(queriesOf(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollbackError: unknown) => {
          broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
          options.log.warn('rollback failed, connection dropped', { error: errorMessage(rollbackError) });
        });
        throw error;
      } finally {
        client.removeListener('error', onConnectionError);
        client.release(broken);
      }
    },
    batches: async function* <R extends QueryResultRow>(text: string, values: readonly unknown[], batchSize: number): AsyncGenerator<R[]> {
      const client = await pool.connect();
      let broken: Error | undefined;
      const onConnectionError = (error: Error): void => {
        broken = error;
        options.log.warn('database connection lost in a cursor', { error: errorMessage(error) });
      };
      client.on('error', onConnectionError);
      let cursor: Cursor<R> | undefined;
      try {
        await client.query("BEGIN READ ONLY; SET LOCAL statement_timeout = '0'");
        cursor = client.query(new Cursor<R>(text, [...values], { types: typeParsers }));
        for (let rows = await cursor.read(batchSize); rows.length > 0; rows = await cursor.read(batchSize)) yield rows;
        await cursor.close();
        cursor = undefined;
        await client.query('COMMIT');
      } finally {
        if (cursor) {
          // Stopped early (the reader went away) or failed: nothing was written, so roll back.
          await cursor.close().catch((error: unknown) => (broken ??= error instanceof Error ? error : new Error(String(error))));
          await client.query('ROLLBACK').catch((error: unknown) => (broken ??= error instanceof Error ? error : new Error(String(error))));
        }
        client.removeListener('error', onConnectionError);
        client.release(broken);
      }
    },
    end: () => pool.end(),
  };
}
