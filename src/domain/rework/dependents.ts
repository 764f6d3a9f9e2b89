/**
 * Rows a rework changes besides its selection: a DELETE takes the direct assignment rows of each
 * deleted object (as container or as member) with it, so the operation claims them too.
 */
import { sql, type SQL } from 'drizzle-orm';

/** Builds the query of the direct assignment rows of an operation's selection, selecting `id`. */
export function directAssignmentRows(operationId: number): SQL {
  const side = (column: 'container_id' | 'member_id') => sql`
    select a.id from objects a
    join bulk_operation_items i on i.object_id = a.${sql.raw(column)} and i.bulk_operation_id = ${operationId}
    where not a.is_indirect`;
  return sql`${side('container_id')} union ${side('member_id')}`;
}
