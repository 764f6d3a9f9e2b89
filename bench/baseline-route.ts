/**
 * The baseline for the outstanding page: one SQL statement that reads the same 100 rows with their
 * table and target system type and returns them as JSON, with no GraphQL, no DataLoader and no
 * constraints. Only the benchmark registers this route; the product has no such endpoint.
 */
import { sql } from 'drizzle-orm';
import type { Services } from '../src/graphql/context.ts';
import { queryRows } from '../src/db/sql.ts';
import type { Route } from '../src/server.ts';

export const BASELINE_PATH = '/bench/outstanding-baseline';

export function baselineRoute(services: Services): Route {
  return {
    method: 'GET',
    path: new RegExp(`^${BASELINE_PATH}$`),
    handle: async (_request, response) => {
      // The database builds the JSON, so no driver-specific value conversion runs in JavaScript.
      const [result] = await queryRows<{ body: string | null }>(
        services.db,
        sql`select json_agg(page)::text as body from (
            select o.id, o.display_name, o.outstanding_since, o.last_log_at, o.last_log_method, o.outstanding_cause,
                   o.container_id, o.member_id, st.name as table_name, tst.name as type_name
            from objects o
            join sync_tables st on st.id = o.sync_table_id
            join target_systems ts on ts.id = o.target_system_id
            join target_system_types tst on tst.id = ts.target_system_type_id
            where o.outstanding_since is not null
            order by o.outstanding_since desc, o.id desc
            limit 100) page`,
      );
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(`{"rows":${result?.body ?? '[]'}}`);
    },
  };
}
