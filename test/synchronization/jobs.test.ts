import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sql } from 'drizzle-orm';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { queryRows } from '../../src/db/sql.ts';
import { enqueueJob } from '../../src/jobs/queue.ts';
import { recoverSynchronizationRuns } from '../../src/domain/synchronization/recovery.ts';
import { testDatabaseKinds } from '../support/databases.ts';
import type { TestServer } from '../support/server.ts';
import { json, mailUser, startSyncServer, SyncClient } from './support.ts';

describe.each(testDatabaseKinds())('synchronization jobs on %s', (kind) => {
  let server: TestServer;
  let client: SyncClient;
  beforeAll(async () => {
    server = await startSyncServer(kind);
    client = new SyncClient(server);
  });
  afterAll(async () => {
    await server?.close();
  });

  /** Creates a run as a crash leaves it: RUNNING, with its claim on the tenant. */
  async function runCutOff(tenant: string): Promise<number> {
    await client.createTenant(tenant, 'contoso.com');
    const db = server.server.runtime.services.db;
    const [run] = await queryRows<{ id: number }>(
      db,
      sql`insert into synchronization_runs (tenant_id, target_system_id, requested_by, status, started_at, source)
          select t.id, s.id, 'os:admin', 'RUNNING', now(), '{"paths": ["/tmp/gone"]}'::jsonb
          from tenants t join target_systems s on s.tenant_id = t.id where t.name = ${tenant}
          returning id`,
    );
    const runId = Number(run!.id);
    await db.execute(sql`insert into tenant_claims (tenant_id, holder_kind, holder_id)
                         select id, 'SYNCHRONIZATION_RUN', ${runId} from tenants where name = ${tenant}`);
    return runId;
  }

  test('requeued job marks its run INTERRUPTED', async () => {
    const runId = await runCutOff('Requeued');
    const services = server.server.runtime.services;
    await enqueueJob(services.db, 'synchronization-run', { runId });
    services.notifyJobs();

    const run = await client.waitFor(encodeGlobalID('SynchronizationRun', runId));
    expect(run.status).toBe('INTERRUPTED');
    expect(run.statusReason).toContain('nothing was saved');
    const next = await client.synchronize({ tenant: 'Requeued', files: [{ name: 'MailUser.json', content: '[]' }] });
    expect(next.errors).toEqual([]);
    expect((await client.waitFor(next.synchronizationRun!.id)).status).toBe('SUCCEEDED');
  });

  test('start-up recovery frees the tenant', async () => {
    const runId = await runCutOff('Restarted');
    const services = server.server.runtime.services;
    await recoverSynchronizationRuns(services.db, 'pglite', services.logger);

    const run = await client.waitFor(encodeGlobalID('SynchronizationRun', runId));
    expect(run.status).toBe('INTERRUPTED');
    const claims = await queryRows(services.db, sql`select * from tenant_claims`);
    expect(claims).toEqual([]);
  });

  test('daily purge deletes old entries', async () => {
    const services = server.server.runtime.services;
    const scheduled = await queryRows<{ run_at: Date }>(services.db, sql`select run_at from jobs where queue = 'log-purge' and status = 'QUEUED'`);
    expect(scheduled).toHaveLength(1);

    await client.createTenant('Retention', 'contoso.com');
    await client.run('Retention', { 'MailUser.json': json([mailUser(1), mailUser(2)]) });
    await services.db.execute(sql`
      update log_entries set created_at = created_at - interval '91 days'
      where object_id in (select o.id from objects o join tenants t on t.id = o.tenant_id where t.name = 'Retention' and o.key like '%000000000001')`);
    await services.db.execute(sql`update jobs set run_at = now() where queue = 'log-purge' and status = 'QUEUED'`);
    services.notifyJobs();

    const deadline = Date.now() + 30_000;
    let jobs: { status: string; run_at: Date }[] = [];
    while (Date.now() < deadline) {
      jobs = await queryRows(services.db, sql`select status, run_at from jobs where queue = 'log-purge' order by id`);
      if (jobs[0]?.status === 'SUCCEEDED' && jobs.length === 2) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(jobs.map((job) => job.status)).toEqual(['SUCCEEDED', 'QUEUED']);
    expect(new Date(jobs[1]!.run_at).getTime()).toBeGreaterThan(Date.now() + 23 * 3_600_000);

    const purged = await queryRows<{ key: string; entries: number | string; log_purged_at: Date | null }>(
      services.db,
      sql`select o.key, (select count(*) from log_entries e where e.object_id = o.id) as entries, o.log_purged_at
          from objects o join tenants t on t.id = o.tenant_id where t.name = 'Retention' order by o.key`,
    );
    expect(purged.map((row) => [Number(row.entries), row.log_purged_at !== null])).toEqual([
      [0, true],
      [1, false],
    ]);
  });
});
