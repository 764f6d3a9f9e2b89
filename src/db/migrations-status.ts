import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { migrationsFolder, type DatabaseHandle } from './client.ts';
import { queryRows } from './sql.ts';

/** Compares the migrations the database recorded with those in drizzle/, for /ready. */
export async function checkMigrations(database: DatabaseHandle): Promise<{ ready: boolean; reason?: string }> {
  const journal = JSON.parse(readFileSync(path.join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] };
  let applied = 0;
  try {
    const [row] = await queryRows<{ applied: number }>(database.db, sql`select count(*)::int as applied from drizzle.__drizzle_migrations`);
    applied = Number(row?.applied ?? 0);
  } catch {
    applied = 0;
  }
  if (applied < journal.entries.length) {
    return { ready: false, reason: `${journal.entries.length - applied} migration(s) not applied; run \`npx syncrework migrate\`` };
  }
  return { ready: true };
}
