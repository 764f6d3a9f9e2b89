/**
 * The scope every step of a synchronization run works in: the run, its tenant and target system,
 * the synchronization tables that take part, and the counts it has reached.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { syncTables } from '../../db/schema.ts';
import { ACCOUNT_OBJECT_KINDS } from '../link-state.ts';

export type RunTable = typeof syncTables.$inferSelect;

export interface RunScope {
  runId: number;
  tenantId: number;
  targetSystemId: number;
  targetSystemTypeId: number;
  /** One timestamp for every change, log entry and mark of the run. */
  at: Date;
  /** Tables assigned to the target system type; only these take part. */
  tables: RunTable[];
  /** Ids of the tables the snapshot has a file for (rule 1: only these are compared). */
  covered: Set<number>;
}

/** The kinds of change a run counts, per table and in total. */
export const COUNT_KEYS = [
  'read',
  'inserted',
  'updated',
  'unchanged',
  'markedOutstanding',
  'deleted',
  'skippedOutstanding',
  'skippedPending',
  'unresolvedReferences',
  'resolvedReferences',
  'identitiesCreated',
  'inheritedMemberships',
] as const;

export type CountKey = (typeof COUNT_KEYS)[number];

/** Counts per table name; totals are their sums. Counts only grow while a run proceeds. */
export class RunCounts {
  private readonly byTable = new Map<string, Record<string, number>>();

  add(table: string, key: CountKey, amount: number): void {
    if (amount === 0) return;
    const counts = this.byTable.get(table) ?? {};
    counts[key] = (counts[key] ?? 0) + amount;
    this.byTable.set(table, counts);
  }

  totals(): Record<string, number> {
    const totals: Record<string, number> = Object.fromEntries(COUNT_KEYS.map((key) => [key, 0]));
    for (const counts of this.byTable.values()) {
      for (const [key, value] of Object.entries(counts)) totals[key] = (totals[key] ?? 0) + value;
    }
    return totals;
  }

  perTable(): Record<string, Record<string, number>> {
    return Object.fromEntries([...this.byTable].map(([table, counts]) => [table, { ...counts }]));
  }
}

export function objectTables(scope: RunScope): RunTable[] {
  return scope.tables.filter((table) => table.kind === 'OBJECT');
}

/** Tables whose rows are accounts (mail users and mail contacts), which get identities. */
export function accountTableIds(scope: RunScope): number[] {
  return scope.tables.filter((table) => (ACCOUNT_OBJECT_KINDS as readonly string[]).includes(table.objectKind)).map((table) => table.id);
}

export function assignmentTables(scope: RunScope): RunTable[] {
  return scope.tables.filter((table) => table.kind === 'ASSIGNMENT');
}

export function tableById(scope: RunScope, id: number): RunTable {
  const table = scope.tables.find((candidate) => candidate.id === id);
  if (!table) throw new Error(`Synchronization table ${id} is not part of run ${scope.runId}.`);
  return table;
}

/** Builds a bigint[] parameter for `= any(...)`. An empty list matches nothing. */
export function idArray(ids: Iterable<number>): SQL {
  return sql`${`{${[...ids].join(',')}}`}::bigint[]`;
}

/** Returns the tables that hold the containers of an assignment table: its container table, else every object table. */
export function containerTableIds(scope: RunScope, assignment: RunTable): number[] {
  if (assignment.containerTableId !== null) return [assignment.containerTableId];
  return objectTables(scope).map((table) => table.id);
}

/** Returns the tables that hold the members of an assignment table: its member table, else every object table. */
export function memberTableIds(scope: RunScope, assignment: RunTable): number[] {
  if (assignment.memberTableId !== null) return [assignment.memberTableId];
  return objectTables(scope).map((table) => table.id);
}
