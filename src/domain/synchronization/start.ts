/**
 * Accepting a synchronization run: the tenant and the snapshot are checked, the run row is created
 * QUEUED with its job and its claim on the tenant in one transaction, and the job worker is woken.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import type { Database, Transaction } from '../../db/client.ts';
import { synchronizationRuns, targetSystems, tenants } from '../../db/schema.ts';
import type { Services } from '../../graphql/context.ts';
import { enqueueJob } from '../../jobs/queue.ts';
import { resolveDateCulture } from '../../snapshot/dates.ts';
import { SnapshotError } from '../../snapshot/index.ts';
import type { Actor } from '../actor.ts';
import { recordAudit } from '../audit.ts';
import { runAudited } from '../audited.ts';
import { DomainError } from '../errors.ts';
import { loadUsableSnapshot, recordSnapshot, removeSnapshotFolder, writeInlineSnapshot, type InlineSnapshotFile } from '../snapshots.ts';
import type { SynchronizationRunRow } from '../synchronization-runs.ts';
import { claimTenant, tenantBusyError } from '../tenant-claims.ts';
import { findTenantByName } from '../tenants.ts';
import { loadRunTables, openRunSnapshot } from './prepare.ts';
import { findRunningRun } from './running-runs.ts';
import { inTenantScope, tenantScope, type TenantScope } from '../tenant-scope.ts';

export const SYNCHRONIZATION_QUEUE = 'synchronization-run';

export interface SynchronizationInput {
  /** The tenant by id, or by its unique name. */
  tenantId?: number | null;
  tenantName?: string | null;
  /** Exactly one source: an uploaded snapshot, inline files, or paths on the server's disk (the command line). */
  snapshotId?: string | null;
  files?: InlineSnapshotFile[] | null;
  paths?: string[] | null;
  /** BCP 47 culture of the exporting machine, for dates such as 04.11.2026 10:15:00. */
  culture?: string | null;
  /** Override the guard against mass removal. */
  force?: boolean | null;
}

/** The snapshot a run reads and the actor it acts for, stored in `synchronization_runs.source`. */
export interface RunSource {
  snapshotId?: string;
  paths?: string[];
  actor: Pick<Actor, 'name' | 'kind' | 'role'>;
}

/** Creates the run (QUEUED), claims the tenant and enqueues the job; the job runs it. */
export async function startSynchronizationRun(db: Database, services: Services, actor: Actor, input: SynchronizationInput): Promise<SynchronizationRunRow> {
  return createSynchronizationRun(db, services, actor, input, { enqueue: true });
}

/**
 * Creates the run like `startSynchronizationRun`; without `enqueue` no job is queued and the
 * caller must run it itself with `executeSynchronizationRun` (the demo data set does).
 */
export async function createSynchronizationRun(
  db: Database,
  services: Services,
  actor: Actor,
  input: SynchronizationInput,
  options: { enqueue: boolean },
): Promise<SynchronizationRunRow> {
  checkSources(input);
  if (input.culture) checkCulture(input.culture);
  const scope = tenantScope(actor);
  const running = findRunningRun(services, input);
  // A run of a tenant outside the caller's limit must not reveal that tenant: findTenant reports it as unknown.
  if (running && inTenantScope(scope, running.tenantId)) throw tenantBusyError(running.tenantId, running.tenantName, 'SYNCHRONIZATION_RUN', running.runId);
  const tenant = await findTenant(db, input, scope);
  const paths = input.paths ? checkPaths(input.paths) : undefined;

  // Inline files are written before the transaction, which must not wait on disk I/O, and removed if it fails.
  const inline = input.files ? await writeInlineSnapshot(services.config.SYNCREWORK_DATA_DIR, input.files) : undefined;
  const subject = { action: 'synchronization.start', tenantId: tenant.id, subjectType: 'Tenant', subjectId: tenant.id };
  try {
    await checkSnapshotFiles(db, tenant.id, input, paths ?? (inline ? [inline.directory] : undefined));
    const run = await runAudited(db, actor, subject, async (tx) => {
      const snapshotId = inline
        ? (await recordSnapshot(tx, { ...inline, uploadedBy: actor.name })).id
        : input.snapshotId
          ? (await loadUsableSnapshot(tx, input.snapshotId, ['input', 'snapshotId'])).id
          : undefined;
      const source: RunSource = { snapshotId, paths, actor: { name: actor.name, kind: actor.kind, role: actor.role } };
      return createRun(tx, actor, tenant.id, source, input, options.enqueue);
    });
    if (options.enqueue) services.notifyJobs();
    services.logger.child({ module: 'synchronization' }).info({ runId: run.id, tenantId: tenant.id, actor: actor.name, forced: run.forced }, 'synchronization run queued');
    return run;
  } catch (error) {
    if (inline) await removeSnapshotFolder(inline.directory);
    throw error;
  }
}

/**
 * Recognizes the table of every snapshot file from its name or first row before a run is queued,
 * so a file that is no snapshot of the tenant's tables is rejected at once. That reads a file's
 * header and first row, for JSON its first block of 1 MiB; checking the rows stays the run's job.
 * A tenant without a target system is left to createRun, which rejects it.
 */
async function checkSnapshotFiles(db: Database, tenantId: number, input: SynchronizationInput, paths: string[] | undefined): Promise<void> {
  const [targetSystem] = await db.select().from(targetSystems).where(eq(targetSystems.tenantId, tenantId));
  if (!targetSystem) return;
  let inputPath = ['input', 'snapshotId'];
  if (input.paths) inputPath = ['paths'];
  else if (input.files) inputPath = ['input', 'files'];
  const files = paths ?? [(await loadUsableSnapshot(db, input.snapshotId!, inputPath)).directory];
  try {
    await openRunSnapshot(files, input.culture, await loadRunTables(db, targetSystem.targetSystemTypeId));
  } catch (error) {
    if (!(error instanceof SnapshotError)) throw error;
    throw new DomainError('SNAPSHOT_INVALID', `${error.message} No run was started.`, inputPath, {
      file: path.basename(error.file),
      location: error.location ?? null,
      field: error.field ?? null,
    });
  }
}

async function createRun(
  tx: Transaction,
  actor: Actor,
  tenantId: number,
  source: RunSource,
  input: SynchronizationInput,
  enqueue: boolean,
): Promise<SynchronizationRunRow> {
  const [targetSystem] = await tx.select().from(targetSystems).where(eq(targetSystems.tenantId, tenantId));
  if (!targetSystem) {
    throw new DomainError('NOT_FOUND', `Tenant ${tenantId} has no target system to synchronize. Register the tenant again.`, ['input', 'tenant']);
  }
  const force = input.force === true;
  const [run] = await tx
    .insert(synchronizationRuns)
    .values({
      tenantId,
      targetSystemId: targetSystem.id,
      requestedBy: actor.name,
      forced: force,
      forcedBy: force ? actor.name : null,
      culture: input.culture ?? null,
      source: source as unknown as Record<string, unknown>,
    })
    .returning();
  await claimTenant(tx, tenantId, 'SYNCHRONIZATION_RUN', run!.id);
  if (enqueue) await enqueueJob(tx, SYNCHRONIZATION_QUEUE, { runId: run!.id }, { maxAttempts: 3 });
  await recordAudit(tx, actor, {
    action: 'synchronization.start',
    outcome: 'SUCCEEDED',
    tenantId,
    subjectType: 'SynchronizationRun',
    subjectId: run!.id,
    details: { forced: force, culture: input.culture ?? null, snapshotId: source.snapshotId ?? null, paths: source.paths ?? null },
  });
  return run!;
}

function checkSources(input: SynchronizationInput): void {
  const sources = [input.snapshotId, input.files, input.paths].filter((source) => source !== undefined && source !== null);
  if (sources.length !== 1) {
    throw new DomainError(
      'INVALID_INPUT',
      'Pass exactly one snapshot: `snapshotId` (from POST /snapshots) or `files` (inline, for small snapshots).',
      ['input', 'snapshotId'],
    );
  }
  if ((input.tenantId == null) === (input.tenantName == null)) {
    throw new DomainError('INVALID_INPUT', 'Pass exactly one of `tenant` (its name) and `tenantId`.', ['input', 'tenant']);
  }
}

function checkCulture(culture: string): void {
  try {
    resolveDateCulture(culture);
  } catch (error) {
    if (error instanceof RangeError) throw new DomainError('INVALID_INPUT', error.message, ['input', 'culture']);
    throw error;
  }
}

/** The tenant the input names; one outside `scope` is reported exactly like one that is not registered. */
async function findTenant(db: Database, input: SynchronizationInput, scope: TenantScope) {
  const tenant =
    input.tenantId != null
      ? (await db.select().from(tenants).where(eq(tenants.id, input.tenantId)))[0]
      : await findTenantByName(db, input.tenantName!);
  if (tenant && inTenantScope(scope, tenant.id)) return tenant;

  const named = input.tenantId != null ? `with id ${input.tenantId}` : JSON.stringify(input.tenantName);
  throw new DomainError(
    'UNKNOWN_TENANT',
    `Tenant ${named} is not registered. Register it first with \`npx syncrework tenant create\` or the \`createTenant\` mutation, then synchronize again.`,
    ['input', input.tenantId != null ? 'tenantId' : 'tenant'],
    { tenant: input.tenantName ?? String(input.tenantId) },
  );
}

/** Resolves the paths of a command-line run; a missing one fails now instead of in the job. */
function checkPaths(paths: string[]): string[] {
  if (paths.length === 0) throw new DomainError('INVALID_INPUT', 'Name at least one snapshot file or folder.', ['paths']);
  return paths.map((given) => {
    const resolved = path.resolve(given);
    if (!existsSync(resolved)) throw new DomainError('NOT_FOUND', `The snapshot file or folder ${given} does not exist. Check the path.`, ['paths']);
    return resolved;
  });
}
