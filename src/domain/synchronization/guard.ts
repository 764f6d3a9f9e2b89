/**
 * The guard against mass removal (rule 1): per object table, a run that would mark or delete more
 * than `guard_max_count` objects, or more than `guard_max_percent` of a table holding at least
 * `guard_min_table_size` objects, stops before changing anything, unless it is forced. A truncated
 * export looks exactly like mass removal, and this is what keeps it from wrecking the database.
 */
import type { PlanSummary } from './compare.ts';
import { objectTables, type RunScope } from './scope.ts';

export interface GuardTableReport {
  table: string;
  /** Objects the run would mark outstanding or delete. */
  wouldRemove: number;
  /** Objects of the table the last runs found (not outstanding), the base of the percentage. */
  tableSize: number;
  percent: number;
  maxCount: number;
  maxPercent: number;
  minTableSize: number;
}

export class GuardTrippedError extends Error {
  override readonly name = 'GuardTrippedError';

  constructor(readonly tables: GuardTableReport[]) {
    const parts = tables.map(
      (report) => `${report.table}: ${report.wouldRemove} of ${report.tableSize} objects (${report.percent}%, limits ${report.maxCount} objects or ${report.maxPercent}%)`,
    );
    super(
      `The run stopped before changing anything because it would remove more objects than the guard allows: ${parts.join('; ')}. ` +
        'If the export is complete and the objects really vanished, run it again with force (--force on the command line, force: true in the synchronize mutation).',
    );
  }
}

/** Reports every object table above its limits; empty when the run may go on. */
export function evaluateGuard(scope: RunScope, summary: PlanSummary): GuardTableReport[] {
  const reports: GuardTableReport[] = [];
  for (const table of objectTables(scope)) {
    const actions = summary.get(table.id);
    if (!actions) continue;

    const wouldRemove = (actions.MARK ?? 0) + (actions.DELETE ?? 0);
    const tableSize = wouldRemove + (actions.UNCHANGED ?? 0) + (actions.UPDATE ?? 0) + (actions.SKIP_PENDING ?? 0);
    const overCount = wouldRemove > table.guardMaxCount;
    const overPercent = tableSize >= table.guardMinTableSize && wouldRemove * 100 > tableSize * table.guardMaxPercent;
    if (!overCount && !overPercent) continue;

    reports.push({
      table: table.name,
      wouldRemove,
      tableSize,
      percent: tableSize === 0 ? 0 : Math.round((wouldRemove * 1000) / tableSize) / 10,
      maxCount: table.guardMaxCount,
      maxPercent: table.guardMaxPercent,
      minTableSize: table.guardMinTableSize,
    });
  }
  return reports;
}
