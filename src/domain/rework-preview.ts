/**
 * The preview of a rework: what a method would do to a selection before anything changes. The
 * `reworkPreview` query shows it, and the rework mutation's dry run returns the same preview.
 */
import { inArray } from 'drizzle-orm';
import type { Executor } from '../db/client.ts';
import { objects } from '../db/schema.ts';
import { computeConstraints, type ConstraintReason, type MethodConstraint, type ReworkMethod } from './constraints.ts';
import { findDependencies, type Dependency } from './dependencies.ts';
import { DomainError } from './errors.ts';

export interface TableCount {
  syncTableId: number;
  /** Selected objects of this table. */
  selected: number;
  /** Objects of this table that go along with the selection (its dependencies). */
  dependencies: number;
}

export interface BlockedObject {
  objectId: number;
  reasons: ConstraintReason[];
}

export interface ReworkPreview {
  method: ReworkMethod;
  objectIds: number[];
  dependencies: Dependency[];
  /**
   * The constraints of the chosen method for every object the method reworks, judged together:
   * the selection, plus for PUBLISH the outstanding sides it publishes first.
   */
  constraints: Map<number, MethodConstraint>;
  /** Objects whose method is disabled; the rework is rejected while any remain. */
  blocked: BlockedObject[];
  tableCounts: TableCount[];
}

/**
 * Computes the preview of `method` for `objectIds`. Unknown ids are rejected with NOT_FOUND naming
 * them. For PUBLISH the dependencies are reworked too, so their constraints count. For DELETE they
 * are assignment rows removed along with their objects, which need no constraint check of their own.
 */
export async function previewRework(db: Executor, method: ReworkMethod, objectIds: readonly number[]): Promise<ReworkPreview> {
  const ids = [...new Set(objectIds)];
  const tableOf = await loadTables(db, ids);
  const unknown = ids.filter((id) => !tableOf.has(id));
  if (unknown.length > 0) {
    throw new DomainError(
      'NOT_FOUND',
      `No object has the id ${unknown.join(', ')}; it may have been deleted. Reload the list and select again.`,
      ['objectIds', String(objectIds.indexOf(unknown[0]!))],
      { objectIds: unknown },
    );
  }

  const dependencies = await findDependenciesInChunks(db, ids, method);
  const dependencyIds = dependencies.map((dependency) => dependency.objectId);
  for (const [id, table] of await loadTables(db, dependencyIds)) tableOf.set(id, table);

  const reworked = method === 'PUBLISH' ? [...new Set([...ids, ...dependencyIds])] : ids;
  const selection = new Set(reworked);
  const constraints = new Map<number, MethodConstraint>();
  const blocked: BlockedObject[] = [];
  for (const chunk of chunks(reworked)) {
    const all = await computeConstraints(db, chunk, { selection });
    for (const id of chunk) {
      const constraint = all.get(id)?.find((candidate) => candidate.method === method);
      if (!constraint) continue;
      constraints.set(id, constraint);
      if (!constraint.allowed) blocked.push({ objectId: id, reasons: constraint.reasons });
    }
  }

  return { method, objectIds: ids, dependencies, constraints, blocked, tableCounts: countByTable(tableOf, ids, dependencyIds) };
}

/**
 * Statements take the ids as bound parameters, and PostgreSQL accepts at most 65,535 per
 * statement, so large selections are read in chunks.
 */
const CHUNK_SIZE = 5000;

function chunks(ids: readonly number[]): number[][] {
  const result: number[][] = [];
  for (let start = 0; start < ids.length; start += CHUNK_SIZE) result.push(ids.slice(start, start + CHUNK_SIZE));
  return result;
}

/** findDependencies per chunk, merged, leaving out objects that are in another chunk of the selection. */
async function findDependenciesInChunks(db: Executor, ids: number[], method: ReworkMethod): Promise<Dependency[]> {
  const selection = new Set(ids);
  const merged = new Map<string, Dependency>();
  for (const chunk of chunks(ids)) {
    for (const dependency of await findDependencies(db, chunk, method)) {
      if (selection.has(dependency.objectId)) continue;
      const key = `${dependency.reason}:${dependency.objectId}`;
      const existing = merged.get(key);
      if (existing) existing.requiredBy.push(...dependency.requiredBy);
      else merged.set(key, { ...dependency, requiredBy: [...dependency.requiredBy] });
    }
  }
  return [...merged.values()];
}

async function loadTables(db: Executor, ids: readonly number[]): Promise<Map<number, number>> {
  const tables = new Map<number, number>();
  for (const chunk of chunks(ids)) {
    const rows = await db
      .select({ id: objects.id, syncTableId: objects.syncTableId })
      .from(objects)
      .where(inArray(objects.id, chunk));
    for (const row of rows) tables.set(row.id, row.syncTableId);
  }
  return tables;
}

function countByTable(tableOf: Map<number, number>, selected: number[], dependencyIds: number[]): TableCount[] {
  const counts = new Map<number, TableCount>();
  const entry = (id: number) => {
    const syncTableId = tableOf.get(id)!;
    let count = counts.get(syncTableId);
    if (!count) {
      count = { syncTableId, selected: 0, dependencies: 0 };
      counts.set(syncTableId, count);
    }
    return count;
  };
  for (const id of selected) entry(id).selected += 1;
  for (const id of new Set(dependencyIds)) entry(id).dependencies += 1;
  return [...counts.values()].sort((a, b) => a.syncTableId - b.syncTableId);
}
