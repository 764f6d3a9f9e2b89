import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { queryRows } from '../../db/sql.ts';

/**
 * Analyzes `objects` when a tenth of it changed since its statistics were taken, e.g. by the
 * previous run. Autovacuum would do it eventually, but a run right after a large import would be
 * planned as if the table were nearly empty. Runs outside the run's transaction, so the ANALYZE
 * lock is not held for the run's duration. On PGlite the statistics views may stay empty, and
 * then nothing happens.
 */
export async function refreshStaleStatistics(db: Executor): Promise<void> {
  const [stats] = await queryRows<{ changed: number | string; live: number | string }>(
    db,
    sql`select n_mod_since_analyze as changed, n_live_tup as live from pg_stat_user_tables where relname = 'objects'`,
  );
  if (stats && Number(stats.changed) > Math.max(1000, Number(stats.live) / 10)) await db.execute(sql`analyze objects`);
}
