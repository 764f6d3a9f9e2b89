/**
 * The constraint rules of constraints.ts as SQL conditions, so the outstanding list can filter by
 * "publishable", "deletable" or "resettable" inside its keyset query.
 *
 * Why SQL and not computeConstraints on the candidates: a filtered page must hold exactly `first`
 * rows, and `totalCount` must be exact. Confirming candidates in JavaScript would mean computing
 * the constraints of every matching object (100,000 on a large tenant) for each page. These
 * conditions cost an anti-join against the few indirect memberships and an index probe per
 * membership side, evaluated only for the rows the query visits.
 *
 * Each constraint code has its SQL twin below; the `Record` makes the compiler demand one for
 * every code. A condition is true when its reason does NOT apply. The conditions judge each object
 * on its own (an empty selection): a membership whose container is outstanding is not publishable
 * here, even though publishing both together is allowed. The query tests compare these conditions
 * with computeConstraints object by object for every code.
 */
import { and, sql, type SQL } from 'drizzle-orm';
import { MAPPED_TABLES } from '../connectors/exchange-online/cmdlets.ts';
import { objects, syncTables, targetSystems, targetSystemTypes } from '../db/schema.ts';
import { REWORK_METHODS, type ConstraintCode, type ReworkMethod } from './constraints.ts';

interface ConditionRule {
  methods: readonly ReworkMethod[];
  /** True when the reason does not apply; uses the joins of selectObjectRows. */
  passes: SQL;
  /** Reads the object's sync table or target system (objectFactsJoin), not only its own row. */
  readsFacts?: true;
}

const isAssignment = sql`${syncTables.kind} = 'ASSIGNMENT'`;
const mappedTables = sql.join(
  MAPPED_TABLES.map((name) => sql`${name}`),
  sql`, `,
);
const assignedToType = (extra: SQL) => sql`exists (
  select 1 from target_system_type_tables as assignment
  where assignment.target_system_type_id = ${targetSystems.targetSystemTypeId}
    and assignment.sync_table_id = ${objects.syncTableId} ${extra})`;
const side = (column: 'container_id' | 'member_id', extra: SQL) =>
  sql`exists (select 1 from objects as side where side.id = ${objects}.${sql.raw(column)} ${extra})`;
const indirectWith = (column: 'container_id' | 'member_id') =>
  sql`exists (select 1 from objects as indirect where indirect.is_indirect and indirect.${sql.raw(column)} = ${objects.id})`;

const rules: Record<ConstraintCode, ConditionRule> = {
  NOT_OUTSTANDING: { methods: REWORK_METHODS, passes: sql`${objects.outstandingSince} is not null` },
  INDIRECT_MEMBERSHIP: { methods: ['DELETE'], passes: sql`${objects.isIndirect} = false` },
  // Two anti-joins instead of one OR, so the planner can hash the few indirect rows.
  HAS_INDIRECT_MEMBERSHIPS: {
    methods: ['DELETE'],
    passes: sql`not ${indirectWith('container_id')} and not ${indirectWith('member_id')}`,
  },
  TABLE_NOT_ASSIGNED: { methods: ['PUBLISH'], readsFacts: true, passes: assignedToType(sql``) },
  TABLE_NOT_PUBLISHABLE: { methods: ['PUBLISH'], readsFacts: true, passes: sql`not ${assignedToType(sql`and not assignment.publishing_enabled`)}` },
  TABLE_NOT_SUPPORTED_BY_CONNECTOR: {
    methods: ['PUBLISH'],
    readsFacts: true,
    passes: sql`(${targetSystemTypes.connectorKind} <> 'exchange-online' or ${syncTables.name} in (${mappedTables}))`,
  },
  NO_WRITE_ACCESS: { methods: ['PUBLISH'], readsFacts: true, passes: sql`${targetSystems.writeAccess}` },
  CONTAINER_MISSING: { methods: ['PUBLISH'], readsFacts: true, passes: sql`(not ${isAssignment} or ${side('container_id', sql``)})` },
  MEMBER_MISSING: { methods: ['PUBLISH'], readsFacts: true, passes: sql`(not ${isAssignment} or ${side('member_id', sql``)})` },
  CONTAINER_OUTSTANDING: {
    methods: ['PUBLISH'],
    readsFacts: true,
    passes: sql`(not ${isAssignment} or not ${side('container_id', sql`and side.outstanding_since is not null`)})`,
  },
  MEMBER_OUTSTANDING: {
    methods: ['PUBLISH'],
    readsFacts: true,
    passes: sql`(not ${isAssignment} or not ${side('member_id', sql`and side.outstanding_since is not null`)})`,
  },
};

/** The joins whose columns the constraint conditions read, as selectObjectRows joins them. */
export const objectFactsJoin = sql`objects
  join sync_tables on sync_tables.id = objects.sync_table_id
  join target_systems on target_systems.id = objects.target_system_id
  join target_system_types on target_system_types.id = target_systems.target_system_type_id`;

function rulesOf(method: ReworkMethod): ConditionRule[] {
  return Object.values(rules).filter((rule) => rule.methods.includes(method));
}

/**
 * Builds the condition under which `method` has no constraint, for a query over `objects` joined
 * as selectObjectRows joins it (or in the FROM clause of `methodConditionSource`).
 */
export function methodAllowedCondition(method: ReworkMethod): SQL {
  return and(...rulesOf(method).map((rule) => rule.passes))!;
}

/**
 * The FROM clause `methodAllowedCondition(method)` needs: `objects` alone when no rule of the
 * method reads the sync table or target system. Joining them costs more than the rules of DELETE
 * and RESET when a statement reaches 100,000 objects one by one.
 */
export function methodConditionSource(method: ReworkMethod): SQL {
  return rulesOf(method).some((rule) => rule.readsFacts) ? objectFactsJoin : sql`objects`;
}
