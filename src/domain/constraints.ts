/**
 * Constraints: the reasons why a rework method cannot run for an object. This is the one place
 * that decides, so the query API shows its result (why is this method disabled?) and the rework
 * mutation refuses to run a method it disables. A batch of objects costs four queries.
 */
import { and, count, eq, inArray, isNotNull, or } from 'drizzle-orm';
import { MAPPED_TABLES } from '../connectors/exchange-online/cmdlets.ts';
import type { Executor } from '../db/client.ts';
import { objects, syncTables, targetSystems, targetSystemTypes, targetSystemTypeTables } from '../db/schema.ts';

const CHUNK_SIZE = 10_000;

export const REWORK_METHODS = ['DELETE', 'PUBLISH', 'RESET'] as const;
export type ReworkMethod = (typeof REWORK_METHODS)[number];

/** Stable codes; clients may branch on them. */
export type ConstraintCode =
  | 'NOT_OUTSTANDING'
  | 'INDIRECT_MEMBERSHIP'
  | 'HAS_INDIRECT_MEMBERSHIPS'
  | 'TABLE_NOT_ASSIGNED'
  | 'TABLE_NOT_PUBLISHABLE'
  | 'TABLE_NOT_SUPPORTED_BY_CONNECTOR'
  | 'NO_WRITE_ACCESS'
  | 'CONTAINER_MISSING'
  | 'MEMBER_MISSING'
  | 'CONTAINER_OUTSTANDING'
  | 'MEMBER_OUTSTANDING';

export interface ConstraintReason {
  code: ConstraintCode;
  message: string;
}

export interface MethodConstraint {
  method: ReworkMethod;
  allowed: boolean;
  reasons: ConstraintReason[];
}

export interface ConstraintOptions {
  /**
   * Objects processed together with the ones asked about. A membership whose outstanding container
   * or member is in the selection may be published: that side is published first.
   */
  selection?: ReadonlySet<number>;
}

interface ObjectFacts {
  id: number;
  outstandingSince: Date | null;
  isIndirect: boolean;
  containerId: number | null;
  memberId: number | null;
  tableName: string;
  tableKind: string;
  typeId: number;
  connectorKind: string;
  writeAccess: boolean;
  syncTableId: number;
}

/**
 * Computes the constraints of every method for each object. Unknown ids are absent from the result.
 */
export async function computeConstraints(
  db: Executor,
  objectIds: readonly number[],
  options: ConstraintOptions = {},
): Promise<Map<number, MethodConstraint[]>> {
  const result = new Map<number, MethodConstraint[]>();
  if (objectIds.length === 0) return result;

  // PostgreSQL takes at most 65,535 parameters per statement, so large selections go in chunks.
  // The selection itself stays whole, so membership sides in other chunks still count.
  if (objectIds.length > CHUNK_SIZE) {
    const selection = options.selection ?? new Set(objectIds);
    for (let start = 0; start < objectIds.length; start += CHUNK_SIZE) {
      const chunk = await computeConstraints(db, objectIds.slice(start, start + CHUNK_SIZE), { selection });
      for (const [id, constraints] of chunk) result.set(id, constraints);
    }
    return result;
  }

  const facts = await loadFacts(db, objectIds);
  const publishing = await loadPublishing(db, facts);
  const sides = await loadMembershipSides(db, facts);
  const indirectCounts = await countIndirectMemberships(db, facts);
  const selection = options.selection ?? new Set(objectIds);

  for (const object of facts) {
    const publishFlag = publishing.get(`${object.typeId}:${object.syncTableId}`);
    const context: FactContext = { object, publishFlag, sides, indirectCount: indirectCounts.get(object.id) ?? 0, selection };
    result.set(
      object.id,
      REWORK_METHODS.map((method) => {
        const reasons = reasonsFor(method, context);
        return { method, allowed: reasons.length === 0, reasons };
      }),
    );
  }
  return result;
}

interface FactContext {
  object: ObjectFacts;
  /** undefined: the table is not assigned to the target system type. */
  publishFlag: boolean | undefined;
  sides: Map<number, { outstanding: boolean }>;
  indirectCount: number;
  selection: ReadonlySet<number>;
}

function reasonsFor(method: ReworkMethod, context: FactContext): ConstraintReason[] {
  const { object } = context;
  if (object.outstandingSince === null) {
    return [{ code: 'NOT_OUTSTANDING', message: 'The object is not outstanding; only outstanding objects can be reworked.' }];
  }
  if (method === 'DELETE') return deleteReasons(context);
  if (method === 'PUBLISH') return publishReasons(context);
  return [];
}

function deleteReasons({ object, indirectCount }: FactContext): ConstraintReason[] {
  const reasons: ConstraintReason[] = [];
  if (object.isIndirect) {
    reasons.push({
      code: 'INDIRECT_MEMBERSHIP',
      message: 'The membership is indirect (inherited from an account definition) and cannot be deleted. Change the account definition or the manage level instead.',
    });
  }
  if (indirectCount > 0) {
    reasons.push({
      code: 'HAS_INDIRECT_MEMBERSHIPS',
      message: `The object still has ${indirectCount} indirect membership(s), which cannot be deleted with it. Remove the inheritance first.`,
    });
  }
  return reasons;
}

function publishReasons({ object, publishFlag, sides, selection }: FactContext): ConstraintReason[] {
  const reasons: ConstraintReason[] = [];
  if (publishFlag === undefined) {
    reasons.push({
      code: 'TABLE_NOT_ASSIGNED',
      message: `Table ${object.tableName} is not assigned to the object's target system type. Assign it with assignSyncTables.`,
    });
  } else if (!publishFlag) {
    reasons.push({
      code: 'TABLE_NOT_PUBLISHABLE',
      message: `Table ${object.tableName} is not configured for publishing. Enable it with configureTablesForPublishing.`,
    });
  }
  if (object.connectorKind === 'exchange-online' && !(MAPPED_TABLES as readonly string[]).includes(object.tableName)) {
    reasons.push({
      code: 'TABLE_NOT_SUPPORTED_BY_CONNECTOR',
      message: `The Exchange Online connector cannot create objects of table ${object.tableName}.`,
    });
  }
  if (!object.writeAccess) {
    reasons.push({
      code: 'NO_WRITE_ACCESS',
      message: 'The connector of the target system has no write access. Turn write access on in the tenant settings.',
    });
  }
  if (object.tableKind === 'ASSIGNMENT') reasons.push(...membershipSideReasons(object, sides, selection));
  return reasons;
}

function membershipSideReasons(object: ObjectFacts, sides: FactContext['sides'], selection: ReadonlySet<number>): ConstraintReason[] {
  const reasons: ConstraintReason[] = [];
  const check = (sideId: number | null, side: 'CONTAINER' | 'MEMBER') => {
    const label = side === 'CONTAINER' ? 'container' : 'member';
    const facts = sideId === null ? undefined : sides.get(sideId);
    if (!facts) {
      reasons.push({ code: `${side}_MISSING`, message: `The membership's ${label} does not exist in the database, so it cannot be published.` });
    } else if (facts.outstanding && !selection.has(sideId!)) {
      reasons.push({
        code: `${side}_OUTSTANDING`,
        message: `The membership's ${label} is outstanding. Publish it together with the membership (it goes first), or publish it before.`,
      });
    }
  };
  check(object.containerId, 'CONTAINER');
  check(object.memberId, 'MEMBER');
  return reasons;
}

async function loadFacts(db: Executor, objectIds: readonly number[]): Promise<ObjectFacts[]> {
  return db
    .select({
      id: objects.id,
      outstandingSince: objects.outstandingSince,
      isIndirect: objects.isIndirect,
      containerId: objects.containerId,
      memberId: objects.memberId,
      syncTableId: objects.syncTableId,
      tableName: syncTables.name,
      tableKind: syncTables.kind,
      typeId: targetSystems.targetSystemTypeId,
      connectorKind: targetSystemTypes.connectorKind,
      writeAccess: targetSystems.writeAccess,
    })
    .from(objects)
    .innerJoin(syncTables, eq(syncTables.id, objects.syncTableId))
    .innerJoin(targetSystems, eq(targetSystems.id, objects.targetSystemId))
    .innerJoin(targetSystemTypes, eq(targetSystemTypes.id, targetSystems.targetSystemTypeId))
    .where(inArray(objects.id, [...objectIds]));
}

/** Publishing flags by `typeId:syncTableId`, for the assigned tables among the objects' tables. */
async function loadPublishing(db: Executor, facts: ObjectFacts[]): Promise<Map<string, boolean>> {
  const tableIds = [...new Set(facts.map((object) => object.syncTableId))];
  const rows = await db
    .select()
    .from(targetSystemTypeTables)
    .where(inArray(targetSystemTypeTables.syncTableId, tableIds));
  return new Map(rows.map((row) => [`${row.targetSystemTypeId}:${row.syncTableId}`, row.publishingEnabled]));
}

async function loadMembershipSides(db: Executor, facts: ObjectFacts[]): Promise<Map<number, { outstanding: boolean }>> {
  const ids = new Set<number>();
  for (const object of facts) {
    if (object.containerId !== null) ids.add(object.containerId);
    if (object.memberId !== null) ids.add(object.memberId);
  }
  if (ids.size === 0) return new Map();
  const rows = await db
    .select({ id: objects.id, outstandingSince: objects.outstandingSince })
    .from(objects)
    .where(inArray(objects.id, [...ids]));
  return new Map(rows.map((row) => [row.id, { outstanding: row.outstandingSince !== null }]));
}

/** Indirect memberships in which each object is the container or the member. */
async function countIndirectMemberships(db: Executor, facts: ObjectFacts[]): Promise<Map<number, number>> {
  const ids = facts.filter((object) => object.tableKind === 'OBJECT').map((object) => object.id);
  if (ids.length === 0) return new Map();
  const counts = new Map<number, number>();
  const rows = await db
    .select({ containerId: objects.containerId, memberId: objects.memberId, value: count() })
    .from(objects)
    .where(and(eq(objects.isIndirect, true), or(inArray(objects.containerId, ids), inArray(objects.memberId, ids))))
    .groupBy(objects.containerId, objects.memberId);
  const wanted = new Set(ids);
  for (const row of rows) {
    for (const id of [row.containerId, row.memberId]) {
      if (id !== null && wanted.has(id)) counts.set(id, (counts.get(id) ?? 0) + row.value);
    }
  }
  return counts;
}

/** Objects among `objectIds` that are outstanding; used to name non-outstanding ones in errors. */
export async function outstandingAmong(db: Executor, objectIds: readonly number[]): Promise<Set<number>> {
  if (objectIds.length === 0) return new Set();
  const rows = await db
    .select({ id: objects.id })
    .from(objects)
    .where(and(inArray(objects.id, [...objectIds]), isNotNull(objects.outstandingSince)));
  return new Set(rows.map((row) => row.id));
}
