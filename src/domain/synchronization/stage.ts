/**
 * Streams the snapshot into temporary staging tables inside the run's transaction, a chunk of
 * records per statement, so memory contains about two chunks however large the files are. Every
 * later step compares the staged rows with `objects` in set-based statements.
 */
import { sql } from 'drizzle-orm';
import type { Transaction } from '../../db/client.ts';
import type { SnapshotRecord, SnapshotTable } from '../../snapshot/index.ts';
import type { RunProgress } from './progress.ts';
import type { RunCounts, RunScope } from './scope.ts';

/** Records per INSERT: a few MB of JSON for typical recipients. */
const CHUNK_SIZE = 2000;

export async function createStagingTables(tx: Transaction): Promise<void> {
  await tx.execute(sql`
    create temp table sync_stage_objects (
      sync_table_id bigint not null,
      key text not null,
      display_name text not null,
      properties jsonb not null
    ) on commit drop`);
  await tx.execute(sql`
    create temp table sync_stage_members (
      sync_table_id bigint not null,
      key text not null,
      container_key text not null,
      member_key text not null,
      display_name text not null,
      properties jsonb not null
    ) on commit drop`);
}

/** Reads every file of the snapshot into the staging tables; a SnapshotError stops the run. */
export async function stageSnapshot(
  tx: Transaction,
  scope: RunScope,
  files: SnapshotTable[],
  counts: RunCounts,
  progress: RunProgress,
  signal: AbortSignal,
): Promise<void> {
  for (const file of files) {
    const table = scope.tables.find((candidate) => candidate.name === file.table);
    if (!table) continue;

    // The next chunk is read and parsed while the database inserts the previous one.
    let chunk: SnapshotRecord[] = [];
    let inserting: Promise<void> = Promise.resolve();
    const flush = async () => {
      const records = chunk;
      chunk = [];
      await inserting;
      signal.throwIfAborted();
      inserting = (table.kind === 'ASSIGNMENT' ? insertMembers(tx, table.id, records) : insertObjects(tx, table.id, records)).then(() => {
        counts.add(table.name, 'read', records.length);
        progress.report();
      });
      // A rejected insert must not go unhandled while the next chunk is read; the next await rethrows it.
      inserting.catch(() => undefined);
    };

    try {
      for await (const record of file.records) {
        chunk.push(record);
        if (chunk.length >= CHUNK_SIZE) await flush();
      }
      if (chunk.length > 0) await flush();
    } catch (error) {
      // Let the insert in flight finish before the transaction rolls back on the same connection.
      await inserting.catch(() => undefined);
      throw error;
    }
    await inserting;
  }

  // Temporary tables are never analyzed automatically; without statistics the planner would
  // choose nested loops over hundreds of thousands of rows.
  await tx.execute(sql`create unique index on sync_stage_objects (sync_table_id, key)`);
  await tx.execute(sql`create unique index on sync_stage_members (sync_table_id, key)`);
  await tx.execute(sql`analyze sync_stage_objects`);
  await tx.execute(sql`analyze sync_stage_members`);
}

async function insertObjects(tx: Transaction, tableId: number, records: SnapshotRecord[]): Promise<void> {
  const rows = records.map((record) => ({ k: record.key, n: record.displayName, p: record.properties }));
  await tx.execute(sql`
    insert into sync_stage_objects (sync_table_id, key, display_name, properties)
    select ${tableId}::bigint, r.k, r.n, r.p
    from json_to_recordset(${JSON.stringify(rows)}::json) as r(k text, n text, p jsonb)`);
}

async function insertMembers(tx: Transaction, tableId: number, records: SnapshotRecord[]): Promise<void> {
  const rows = records.map((record) => ({
    k: record.key,
    g: record.groupKey,
    m: record.memberKey,
    n: record.displayName,
    p: record.properties,
  }));
  await tx.execute(sql`
    insert into sync_stage_members (sync_table_id, key, container_key, member_key, display_name, properties)
    select ${tableId}::bigint, r.k, r.g, r.m, r.n, r.p
    from json_to_recordset(${JSON.stringify(rows)}::json) as r(k text, g text, m text, n text, p jsonb)`);
}
