/**
 * Start-up recovery. A run is one transaction, so a run cut off by a crash saved nothing; it only
 * needs its status and its claim on the tenant corrected.
 */
import { sql } from 'drizzle-orm';
import type { Database, DatabaseKind } from '../../db/client.ts';
import { queryRows } from '../../db/sql.ts';
import type { Logger } from '../../logger.ts';
import { clearStaleTenantClaims } from '../tenant-claims.ts';

const INTERRUPTED_REASON = 'The server stopped while the run was in progress, so nothing was saved. Start the run again.';

/**
 * On PGlite only this process can have run anything, so every RUNNING run was cut off. On
 * PostgreSQL other instances may be running theirs: the job worker hands a dead worker's job back
 * to the queue once its lease expired, and the job then marks its run INTERRUPTED. Claims whose
 * holder has finished are cleared on both.
 */
export async function recoverSynchronizationRuns(db: Database, databaseKind: DatabaseKind, logger: Logger): Promise<void> {
  const log = logger.child({ module: 'synchronization' });
  if (databaseKind === 'pglite') {
    const rows = await queryRows<{ id: number | string }>(
      db,
      sql`update synchronization_runs set status = 'INTERRUPTED', status_reason = ${INTERRUPTED_REASON}, finished_at = now()
          where status = 'RUNNING' returning id`,
    );
    if (rows.length > 0) log.warn({ runIds: rows.map((row) => Number(row.id)) }, 'marked synchronization runs cut off by the last stop INTERRUPTED');
  }
  const freed = await clearStaleTenantClaims(db);
  if (freed.length > 0) log.warn({ tenantIds: freed }, 'released tenant claims of finished runs and operations');
}
