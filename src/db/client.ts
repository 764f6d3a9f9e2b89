/**
 * Opens the database: an embedded PGlite in a data folder when no URL is given, PostgreSQL through
 * postgres.js otherwise. Both expose the same drizzle `Database` type.
 */
import { PGlite } from '@electric-sql/pglite';
import type { ExtractTablesWithRelations, Logger } from 'drizzle-orm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import * as schema from './schema.ts';

export type Schema = typeof schema;
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
export type Transaction = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** A database handle or an open transaction; domain functions take this so a transaction can stand in. */
export type Executor = Database | Transaction;

export type DatabaseKind = 'pglite' | 'postgres';

export interface DatabaseHandle {
  kind: DatabaseKind;
  db: Database;
  /** Where the data lives, for log lines: the PGlite folder or the PostgreSQL URL without its password. */
  location: string;
  close(): Promise<void>;
}

export const migrationsFolder = fileURLToPath(new URL('../../drizzle', import.meta.url));

export interface OpenDatabaseOptions {
  /** PostgreSQL URL; when absent, `dataDir` holds an embedded PGlite database. */
  url?: string;
  /** PGlite data folder; `memory://` keeps the database in memory (tests). */
  dataDir?: string;
  /** postgres.js pool size. */
  poolSize?: number;
  /** Called with the text of every SQL statement sent through drizzle; tests count queries with it. */
  onQuery?: (query: string) => void;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  if (options.url) {
    const client = postgres(options.url, {
      max: options.poolSize ?? 10,
      onnotice: () => {},
      // JIT compilation (on by default) spends 100 to 300 ms on any statement the planner thinks
      // costly. A bulk operation's statements read items that have no planner statistics yet, so
      // their estimates run high while each runs in milliseconds (docs/rework.md, Performance).
      connection: { application_name: 'syncrework', jit: 'off' },
    });
    const db = drizzlePostgres(client, { schema, logger: queryLogger(options) }) as unknown as Database;
    return {
      kind: 'postgres',
      db,
      location: redactUrl(options.url),
      close: () => client.end({ timeout: 5 }),
    };
  }

  const dataDir = options.dataDir ?? 'memory://';
  const client = await PGlite.create(dataDir);
  const db = drizzlePglite(client, { schema, logger: queryLogger(options) }) as unknown as Database;
  return {
    kind: 'pglite',
    db,
    location: dataDir,
    close: () => client.close(),
  };
}

function queryLogger(options: OpenDatabaseOptions): Logger | undefined {
  const onQuery = options.onQuery;
  return onQuery ? { logQuery: (query) => onQuery(query) } : undefined;
}

/** Applies every migration under drizzle/ that the database has not seen yet. */
export async function runMigrations(handle: DatabaseHandle): Promise<void> {
  if (handle.kind === 'pglite') {
    await migratePglite(handle.db as never, { migrationsFolder });
  } else {
    await migratePostgres(handle.db as never, { migrationsFolder });
  }
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}
