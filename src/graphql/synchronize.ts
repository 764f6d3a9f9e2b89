/**
 * The `synchronize` mutation. It starts a synchronization run on an uploaded snapshot or on small
 * inline files and returns the run at once, whose progress `synchronizationRunProgress` reports.
 */
import { z } from 'zod';
import { builder } from './builder.ts';
import { UserError, registerUserErrorType, toPayload } from './errors.ts';
import { parseId } from './global-ids.ts';
import { SynchronizationRun } from './synchronization-runs.ts';
import type { DomainError } from '../domain/errors.ts';
import { startSynchronizationRun } from '../domain/synchronization/start.ts';

builder.objectRef<DomainError>('UnknownTenantError').implement({
  description: 'The tenant named in the input is not registered. Register it with `createTenant` (or `npx syncrework tenant create`) first.',
  interfaces: [UserError],
  isTypeOf: (value) => (value as DomainError).code === 'UNKNOWN_TENANT',
  fields: (t) => ({
    tenant: t.string({ description: 'The tenant name or id as given.', resolve: (error) => String(error.details.tenant) }),
  }),
});
registerUserErrorType('UNKNOWN_TENANT', 'UnknownTenantError');

builder.objectRef<DomainError>('TenantBusyError').implement({
  description: 'Another synchronization run or a rework of the same tenant is in progress; they never overlap. Try again when it has finished.',
  interfaces: [UserError],
  isTypeOf: (value) => (value as DomainError).code === 'TENANT_BUSY',
  fields: (t) => ({
    holderKind: t.string({
      description: 'What has claimed the tenant: `SYNCHRONIZATION_RUN` or `BULK_OPERATION`.',
      resolve: (error) => String(error.details.holderKind),
    }),
    synchronizationRun: t.field({
      type: SynchronizationRun,
      nullable: true,
      description: 'The run in progress, when a run has claimed the tenant. Subscribe to its progress to learn when it ends.',
      resolve: (error) => (error.details.holderKind === 'SYNCHRONIZATION_RUN' ? (error.details.holderId as number) : null),
    }),
  }),
});
registerUserErrorType('TENANT_BUSY', 'TenantBusyError');

builder.objectRef<DomainError>('SnapshotInvalidError').implement({
  description:
    'A snapshot file cannot be read as a table of the tenant, so no run was started: its table is unknown, a key column is missing, or its first rows (for JSON, its first 1 MiB) are not valid JSON or CSV in a known encoding. Faults in rows further in fail the run instead. Fix the file and send it again.',
  interfaces: [UserError],
  isTypeOf: (value) => (value as DomainError).code === 'SNAPSHOT_INVALID',
  fields: (t) => ({
    file: t.string({ description: 'Name of the file.', resolve: (error) => String(error.details.file) }),
    location: t.string({
      nullable: true,
      description: 'Where in the file: a JSONPath such as `$[0]` or a CSV row.',
      resolve: (error) => (error.details.location as string | null) ?? null,
    }),
    field: t.string({ nullable: true, description: 'The property or column at fault.', resolve: (error) => (error.details.field as string | null) ?? null }),
  }),
});
registerUserErrorType('SNAPSHOT_INVALID', 'SnapshotInvalidError');

const SnapshotFileInput = builder.inputType('SnapshotFileInput', {
  description: 'One snapshot file sent inline. Large snapshots go through `POST /snapshots` instead; the request body limit applies here.',
  fields: (t) => ({
    name: t.string({
      description: 'File name with its format, e.g. `MailUser.json` or `DistributionGroupMember.csv`; a table name as the stem names the table.',
      validate: z.string().min(1).max(200),
    }),
    content: t.string({ description: 'The file content as exported (ConvertTo-Json or Export-Csv output).' }),
  }),
});

const SynchronizeInput = builder.inputType('SynchronizeInput', {
  description: 'A snapshot of a tenant\'s target system to import. Name the tenant with `tenant` or `tenantId`, and the snapshot with `snapshotId` or `files`.',
  fields: (t) => ({
    tenant: t.string({ required: false, description: 'The tenant by its unique name, e.g. "Contoso".' }),
    tenantId: t.id({ required: false, description: 'The tenant by its ID.' }),
    snapshotId: t.string({ required: false, description: 'The `id` that `POST /snapshots` returned for the uploaded files.' }),
    files: t.field({ type: [SnapshotFileInput], required: false, description: 'The snapshot files inline, for small snapshots.' }),
    culture: t.string({
      required: false,
      description: 'Culture of the exporting machine (BCP 47, e.g. `de-DE`), to read dates it wrote in its own format such as `04.11.2026 10:15:00`.',
      validate: z.string().min(2).max(35),
    }),
    force: t.boolean({
      required: false,
      defaultValue: false,
      description: 'Run even if the guard against mass removal would stop it. Recorded with who forced it.',
    }),
  }),
});

const SynchronizePayload = builder.simpleObject('SynchronizePayload', {
  description: 'Result of `synchronize`.',
  fields: (t) => ({
    synchronizationRun: t.field({
      type: SynchronizationRun,
      nullable: true,
      description: 'The run, QUEUED; it fails later (status FAILED with `problem`) if a file cannot be read or the guard stops it.',
    }),
    errors: t.field({ type: [UserError], description: 'Why no run was started; empty on success.' }),
  }),
});

builder.mutationField('synchronize', (t) =>
  t.field({
    description: "Imports a snapshot of a tenant's target system: a synchronization run, started now and run as a job. Returns at once.",
    type: SynchronizePayload,
    authScopes: { operator: true },
    args: { input: t.arg({ type: SynchronizeInput, required: true }) },
    resolve: (_root, { input }, context) =>
      toPayload(async () => {
        const tenantId = input.tenantId != null ? parseId(String(input.tenantId), ['Tenant'], 'input.tenantId') : null;
        const run = await startSynchronizationRun(context.db, context.services, context.actor, {
          tenantId,
          tenantName: input.tenant ?? null,
          snapshotId: input.snapshotId ?? null,
          files: input.files ?? null,
          culture: input.culture ?? null,
          force: input.force ?? false,
        });
        return { synchronizationRun: run };
      }),
  }),
);
