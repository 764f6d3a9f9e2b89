/**
 * Everything a run needs before its transaction: the tenant's target system, the synchronization
 * tables of its type, and the snapshot files recognised as tables (the files are read later, as
 * streams, inside the transaction).
 */
import { eq } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { syncTables, targetSystems, targetSystemTypeTables, tenants } from '../../db/schema.ts';
import { exchangeOnlineTableSpecs, openSnapshot, type SnapshotTable, type SnapshotTableSpec } from '../../snapshot/index.ts';
import { DomainError } from '../errors.ts';
import { loadUsableSnapshot } from '../snapshots.ts';
import type { SynchronizationRunRow } from '../synchronization-runs.ts';
import type { RunTable } from './scope.ts';
import type { RunSource } from './start.ts';

export interface PreparedRun {
  tenantName: string;
  targetSystemTypeId: number;
  tables: RunTable[];
  files: SnapshotTable[];
  source: RunSource;
  /** The uploaded snapshot's folder, removed once the run succeeded. */
  snapshotDirectory?: string;
}

export async function prepareRun(db: Executor, run: SynchronizationRunRow): Promise<PreparedRun> {
  const [targetSystem] = await db.select().from(targetSystems).where(eq(targetSystems.id, run.targetSystemId));
  const [tenant] = await db.select().from(tenants).where(eq(tenants.id, run.tenantId));
  if (!targetSystem || !tenant) throw new DomainError('NOT_FOUND', `Target system ${run.targetSystemId} no longer exists; the tenant was removed.`);

  const tables = await loadRunTables(db, targetSystem.targetSystemTypeId);

  const source = run.source as unknown as RunSource;
  let paths = source.paths ?? [];
  let snapshotDirectory: string | undefined;
  if (source.snapshotId) {
    const snapshot = await loadUsableSnapshot(db, source.snapshotId, ['input', 'snapshotId']);
    snapshotDirectory = snapshot.directory;
    paths = [snapshot.directory];
  }

  const files = await openRunSnapshot(paths, run.culture, tables);
  return { tenantName: tenant.name, targetSystemTypeId: targetSystem.targetSystemTypeId, tables, files, source, snapshotDirectory };
}

/** Loads the synchronization tables assigned to a target system type, the tables a run reads. */
export async function loadRunTables(db: Executor, targetSystemTypeId: number): Promise<RunTable[]> {
  const rows = await db
    .select({ table: syncTables })
    .from(syncTables)
    .innerJoin(targetSystemTypeTables, eq(targetSystemTypeTables.syncTableId, syncTables.id))
    .where(eq(targetSystemTypeTables.targetSystemTypeId, targetSystemTypeId))
    .orderBy(syncTables.id);
  return rows.map((row) => row.table);
}

/**
 * Opens the snapshot files as the run's tables. Recognizing each file's table reads its header and
 * first row (for JSON, the first block of 1 MiB); the rows are read later, when iterated. Throws
 * SnapshotError for a file that is no snapshot of these tables.
 */
export function openRunSnapshot(paths: string[], culture: string | null | undefined, tables: RunTable[]): Promise<SnapshotTable[]> {
  return openSnapshot(paths, { culture: culture ?? undefined, tables: tableSpecs(tables) });
}

/** Snapshot table specs: the built-in ones recognise their rows by RecipientTypeDetails; custom ones by file name. */
function tableSpecs(tables: RunTable[]): SnapshotTableSpec[] {
  return tables.map((table) => {
    const builtIn = table.isCustom ? undefined : exchangeOnlineTableSpecs.find((spec) => spec.name === table.name);
    return builtIn ?? { name: table.name, kind: table.kind as 'OBJECT' | 'ASSIGNMENT' };
  });
}
