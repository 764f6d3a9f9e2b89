/**
 * The drizzle schema: tables and indexes only, no rules. One schema and one migration history
 * serve both PGlite and PostgreSQL, so it uses nothing that PGlite lacks.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

const id = () => bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity();
const ref = (name: string) => bigint(name, { mode: 'number' });
const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();
const at = (name: string) => timestamp(name, { withTimezone: true });

/** A Microsoft Entra ID tenant. */
export const tenants = pgTable('tenants', {
  id: id(),
  name: text('name').notNull().unique(),
  primaryDomain: text('primary_domain').notNull(),
  initialAccountDefinitionId: ref('initial_account_definition_id'),
  version: integer('version').notNull().default(1),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/** A kind of target system ("Exchange Online"); the connector kind picks the implementation. */
export const targetSystemTypes = pgTable('target_system_types', {
  id: id(),
  name: text('name').notNull().unique(),
  connectorKind: text('connector_kind').notNull(),
  createdAt: createdAt(),
});

/** One synchronized target system of one tenant, with its connector settings. */
export const targetSystems = pgTable(
  'target_systems',
  {
    id: id(),
    tenantId: ref('tenant_id').notNull().references(() => tenants.id),
    targetSystemTypeId: ref('target_system_type_id').notNull().references(() => targetSystemTypes.id),
    name: text('name').notNull(),
    /** SIMULATED (in-process organization) or HTTP (Exchange Online admin API). */
    connectorMode: text('connector_mode').notNull().default('SIMULATED'),
    writeAccess: boolean('write_access').notNull().default(true),
    baseUrl: text('base_url'),
    tokenEndpoint: text('token_endpoint'),
    clientId: text('client_id'),
    /** Client secret encrypted with the key from the environment; never returned by the API. */
    encryptedSecret: text('encrypted_secret'),
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('target_systems_tenant_type_key').on(t.tenantId, t.targetSystemTypeId)],
);

/** A synchronization table: built-in or custom, object table or assignment table (member list). */
export const syncTables = pgTable(
  'sync_tables',
  {
    id: id(),
    name: text('name').notNull().unique(),
    displayName: text('display_name').notNull(),
    /** OBJECT or ASSIGNMENT. */
    kind: text('kind').notNull(),
    /** MAIL_USER, MAIL_CONTACT, DISTRIBUTION_GROUP, MEMBERSHIP or CUSTOM: which GraphQL type shows a row. */
    objectKind: text('object_kind').notNull(),
    isCustom: boolean('is_custom').notNull().default(false),
    containerTableId: ref('container_table_id'),
    memberTableId: ref('member_table_id'),
    /** MARK_OUTSTANDING (default) or DELETE: what a run does with an object missing from the snapshot. */
    missingAction: text('missing_action').notNull().default('MARK_OUTSTANDING'),
    guardMaxCount: integer('guard_max_count').notNull().default(500),
    guardMaxPercent: integer('guard_max_percent').notNull().default(30),
    guardMinTableSize: integer('guard_min_table_size').notNull().default(20),
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
  },
  (t) => [check('sync_tables_kind_check', sql`${t.kind} in ('OBJECT', 'ASSIGNMENT')`)],
);

/** Assignment of a sync table to a target system type, with its publishing flag. */
export const targetSystemTypeTables = pgTable(
  'target_system_type_tables',
  {
    targetSystemTypeId: ref('target_system_type_id').notNull().references(() => targetSystemTypes.id),
    syncTableId: ref('sync_table_id').notNull().references(() => syncTables.id),
    publishingEnabled: boolean('publishing_enabled').notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.targetSystemTypeId, t.syncTableId] })],
);

/** The person behind accounts. */
export const identities = pgTable(
  'identities',
  {
    id: id(),
    tenantId: ref('tenant_id').notNull().references(() => tenants.id),
    firstName: text('first_name'),
    lastName: text('last_name'),
    displayName: text('display_name').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('identities_tenant_idx').on(t.tenantId, t.id)],
);

/** How far an account definition manages an account. */
export const manageLevels = pgTable('manage_levels', {
  id: id(),
  name: text('name').notNull().unique(),
  description: text('description'),
  inheritsGroups: boolean('inherits_groups').notNull().default(false),
  isBuiltIn: boolean('is_built_in').notNull().default(false),
  createdAt: createdAt(),
});

/** The rule set that manages accounts of a target system type within one tenant. */
export const accountDefinitions = pgTable(
  'account_definitions',
  {
    id: id(),
    tenantId: ref('tenant_id').notNull().references(() => tenants.id),
    targetSystemTypeId: ref('target_system_type_id').notNull().references(() => targetSystemTypes.id),
    name: text('name').notNull(),
    description: text('description'),
    defaultManageLevelId: ref('default_manage_level_id').notNull().references(() => manageLevels.id),
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('account_definitions_tenant_name_key').on(t.tenantId, t.name)],
);

export const accountDefinitionManageLevels = pgTable(
  'account_definition_manage_levels',
  {
    accountDefinitionId: ref('account_definition_id').notNull().references(() => accountDefinitions.id, { onDelete: 'cascade' }),
    manageLevelId: ref('manage_level_id').notNull().references(() => manageLevels.id),
  },
  (t) => [primaryKey({ columns: [t.accountDefinitionId, t.manageLevelId] })],
);

/** Distribution groups that an account definition passes on to its accounts as indirect memberships. */
export const accountDefinitionGroups = pgTable(
  'account_definition_groups',
  {
    accountDefinitionId: ref('account_definition_id').notNull().references(() => accountDefinitions.id, { onDelete: 'cascade' }),
    groupObjectId: ref('group_object_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountDefinitionId, t.groupObjectId] })],
);

/**
 * Every synchronized object: recipients of object tables and rows of assignment tables (memberships)
 * alike, so one index serves the outstanding list across all tables.
 */
export const objects = pgTable(
  'objects',
  {
    id: id(),
    tenantId: ref('tenant_id').notNull().references(() => tenants.id),
    targetSystemId: ref('target_system_id').notNull().references(() => targetSystems.id),
    syncTableId: ref('sync_table_id').notNull().references(() => syncTables.id),
    /** Stable key in the target system: the Exchange Guid, or `groupGuid:memberGuid` for a membership. */
    key: text('key').notNull(),
    displayName: text('display_name').notNull(),
    properties: jsonb('properties').$type<Record<string, unknown>>().notNull(),
    /** Assignment rows: the container (group) and the member. */
    containerId: ref('container_id'),
    memberId: ref('member_id'),
    /** Indirect (inherited) memberships come from an account definition, never from a run. */
    isIndirect: boolean('is_indirect').notNull().default(false),
    inheritedFromAccountDefinitionId: ref('inherited_from_account_definition_id'),
    /** Set while the object is outstanding; null otherwise. */
    outstandingSince: at('outstanding_since'),
    /** Stored fact behind the mark: MISSING, REMOVED_FROM_MEMBER_LIST or CONTAINER_DELETED. */
    outstandingCause: text('outstanding_cause'),
    /** Set by log retention when it removed entries of this object. */
    logPurgedAt: at('log_purged_at'),
    /** Newest log entry, kept here so the outstanding list can filter and sort by it with an index. */
    lastLogAt: at('last_log_at'),
    lastLogMethod: text('last_log_method'),
    /** Accounts (mail users and mail contacts) only. */
    identityId: ref('identity_id'),
    accountDefinitionId: ref('account_definition_id'),
    manageLevelId: ref('manage_level_id'),
    /** Outcome of the newest PUBLISH: PENDING, SUCCEEDED or FAILED. */
    provisioningStatus: text('provisioning_status'),
    provisioningMessage: text('provisioning_message'),
    provisioningUpdatedAt: at('provisioning_updated_at'),
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('objects_natural_key').on(t.targetSystemId, t.syncTableId, t.key, t.isIndirect),
    index('objects_outstanding_marked_idx')
      .on(t.outstandingSince, t.id)
      .where(sql`${t.outstandingSince} is not null`),
    index('objects_outstanding_table_marked_idx')
      .on(t.syncTableId, t.outstandingSince, t.id)
      .where(sql`${t.outstandingSince} is not null`),
    index('objects_outstanding_tenant_marked_idx')
      .on(t.tenantId, t.outstandingSince, t.id)
      .where(sql`${t.outstandingSince} is not null`),
    index('objects_outstanding_last_log_idx')
      .on(t.syncTableId, t.lastLogAt, t.id)
      .where(sql`${t.outstandingSince} is not null`),
    index('objects_container_idx').on(t.containerId),
    index('objects_member_idx').on(t.memberId),
    index('objects_account_idx').on(t.tenantId, t.syncTableId, t.id),
    index('objects_identity_idx').on(t.identityId),
    index('objects_account_definition_idx').on(t.accountDefinitionId),
    index('objects_inherited_from_idx')
      .on(t.inheritedFromAccountDefinitionId)
      .where(sql`${t.isIndirect}`),
    // The outstanding list sorts by lower(display_name) and by the newest log entry with NULL as
    // -infinity (src/domain/outstanding-objects.ts); each order has an index across all tables, per
    // table and per tenant. The expressions must match the queries' exactly.
    index('objects_outstanding_name_lower_idx')
      .on(sql`lower(${t.displayName})`, t.id)
      .where(sql`${t.outstandingSince} is not null`),
    index('objects_outstanding_table_name_lower_idx')
      .on(t.syncTableId, sql`lower(${t.displayName})`, t.id)
      .where(sql`${t.outstandingSince} is not null`),
    index('objects_outstanding_tenant_name_lower_idx')
      .on(t.tenantId, sql`lower(${t.displayName})`, t.id)
      .where(sql`${t.outstandingSince} is not null`),
    index('objects_outstanding_log_order_idx')
      .on(sql`coalesce(${t.lastLogAt}, '-infinity'::timestamptz)`, t.id)
      .where(sql`${t.outstandingSince} is not null`),
    index('objects_outstanding_table_log_order_idx')
      .on(t.syncTableId, sql`coalesce(${t.lastLogAt}, '-infinity'::timestamptz)`, t.id)
      .where(sql`${t.outstandingSince} is not null`),
    index('objects_outstanding_tenant_log_order_idx')
      .on(t.tenantId, sql`coalesce(${t.lastLogAt}, '-infinity'::timestamptz)`, t.id)
      .where(sql`${t.outstandingSince} is not null`),
    index('objects_outstanding_last_method_idx')
      .on(t.lastLogMethod, t.outstandingSince, t.id)
      .where(sql`${t.outstandingSince} is not null`),
    // Outstanding objects without a log entry (hasLogEntry: false), newest marked first.
    index('objects_outstanding_without_log_idx')
      .on(t.outstandingSince, t.id)
      .where(sql`${t.outstandingSince} is not null and ${t.lastLogAt} is null`),
    // Every column the outstanding filters and constraint conditions read, so totalCount of a
    // filtered list is an index-only scan instead of a visit to each outstanding row's heap page.
    index('objects_outstanding_facts_idx')
      .on(
        t.syncTableId,
        t.tenantId,
        t.targetSystemId,
        t.outstandingSince,
        t.lastLogAt,
        t.lastLogMethod,
        t.isIndirect,
        t.containerId,
        t.memberId,
        t.id,
      )
      .where(sql`${t.outstandingSince} is not null`),
    // Word-prefix search on display names; pg_trgm (substring search) is not available on PGlite.
    index('objects_outstanding_search_idx')
      .using('gin', sql`to_tsvector('simple', ${t.displayName})`)
      .where(sql`${t.outstandingSince} is not null`),
    // Indirect memberships are few; these let the DELETE constraint hash them instead of probing per row.
    index('objects_indirect_container_idx')
      .on(t.containerId)
      .where(sql`${t.isIndirect}`),
    index('objects_indirect_member_idx')
      .on(t.memberId)
      .where(sql`${t.isIndirect}`),
    // "Linked but not configured" accounts per tenant (link state LINKED, src/domain/link-state.ts).
    index('objects_linked_unconfigured_idx')
      .on(t.tenantId, t.id)
      .where(sql`${t.identityId} is not null and (${t.accountDefinitionId} is null or ${t.manageLevelId} is null)`),
  ],
);

/** Per-object synchronization log. Membership changes are logged on the container, naming the member. */
export const logEntries = pgTable(
  'log_entries',
  {
    id: id(),
    objectId: ref('object_id').notNull().references(() => objects.id, { onDelete: 'cascade' }),
    /** INSERT, UPDATE, MARK_OUTSTANDING, DELETE, PUBLISH or RESET. */
    method: text('method').notNull(),
    message: text('message').notNull(),
    /** The member a container's entry is about, when the change concerned its member list. */
    memberKey: text('member_key'),
    synchronizationRunId: ref('synchronization_run_id'),
    bulkOperationId: ref('bulk_operation_id'),
    createdAt: createdAt(),
  },
  (t) => [
    index('log_entries_object_idx').on(t.objectId, t.createdAt, t.id),
    index('log_entries_created_idx').on(t.createdAt),
    // A membership's log: its container's entries that name its member, newest first.
    index('log_entries_object_member_idx')
      .on(t.objectId, t.memberKey, t.createdAt, t.id)
      .where(sql`${t.memberKey} is not null`),
    index('log_entries_run_idx')
      .on(t.synchronizationRunId, t.id)
      .where(sql`${t.synchronizationRunId} is not null`),
  ],
);

/** Member rows whose group or member the snapshot did not hold; they resolve in a later run. */
export const unresolvedReferences = pgTable(
  'unresolved_references',
  {
    id: id(),
    tenantId: ref('tenant_id').notNull().references(() => tenants.id),
    targetSystemId: ref('target_system_id').notNull().references(() => targetSystems.id),
    syncTableId: ref('sync_table_id').notNull().references(() => syncTables.id),
    containerKey: text('container_key').notNull(),
    memberKey: text('member_key').notNull(),
    /** The group, where it is known; null when the group itself is missing. */
    containerId: ref('container_id'),
    properties: jsonb('properties').$type<Record<string, unknown>>().notNull(),
    firstSeenRunId: ref('first_seen_run_id'),
    lastSeenRunId: ref('last_seen_run_id'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('unresolved_references_key').on(t.targetSystemId, t.syncTableId, t.containerKey, t.memberKey),
    index('unresolved_references_tenant_idx').on(t.tenantId, t.id),
    index('unresolved_references_container_idx').on(t.containerId, t.id),
  ],
);

/** Lifecycle shared by synchronization runs and bulk operations. */
const lifecycle = () => ({
  status: text('status').notNull().default('QUEUED'),
  statusReason: text('status_reason'),
  requestedBy: text('requested_by').notNull(),
  createdAt: createdAt(),
  startedAt: at('started_at'),
  finishedAt: at('finished_at'),
});

export const synchronizationRuns = pgTable(
  'synchronization_runs',
  {
    id: id(),
    tenantId: ref('tenant_id').notNull().references(() => tenants.id),
    targetSystemId: ref('target_system_id').notNull().references(() => targetSystems.id),
    ...lifecycle(),
    forced: boolean('forced').notNull().default(false),
    forcedBy: text('forced_by'),
    culture: text('culture'),
    /** Where the snapshot files are: an uploaded snapshot's id or paths on the server's disk. */
    source: jsonb('source').$type<Record<string, unknown>>().notNull(),
    /** inserted, updated, markedOutstanding, deleted, skippedOutstanding, skippedPending, unchanged, unresolved. */
    counts: jsonb('counts').$type<Record<string, number>>().notNull().default({}),
    /** The same counts per synchronization table, keyed by table name. */
    tableCounts: jsonb('table_counts').$type<Record<string, Record<string, number>>>().notNull().default({}),
    /** Guard report or input error that stopped the run. */
    problem: jsonb('problem').$type<Record<string, unknown>>(),
  },
  (t) => [index('synchronization_runs_tenant_idx').on(t.tenantId, t.id)],
);

export const bulkOperations = pgTable(
  'bulk_operations',
  {
    id: id(),
    /** REWORK or LINK_ACCOUNTS. */
    kind: text('kind').notNull(),
    method: text('method').notNull(),
    processing: text('processing').notNull(),
    continueOnError: boolean('continue_on_error').notNull().default(false),
    ...lifecycle(),
    total: integer('total').notNull().default(0),
    processed: integer('processed').notNull().default(0),
    succeeded: integer('succeeded').notNull().default(0),
    failed: integer('failed').notNull().default(0),
    rolledBack: boolean('rolled_back').notNull().default(false),
    cancelRequested: boolean('cancel_requested').notNull().default(false),
    /** Method-specific input, e.g. the account definition and manage level for LINK_ACCOUNTS. */
    parameters: jsonb('parameters').$type<Record<string, unknown>>().notNull().default({}),
    tenantIds: jsonb('tenant_ids').$type<number[]>().notNull().default([]),
  },
  (t) => [index('bulk_operations_status_idx').on(t.status, t.id)],
);

/** The fixed, ordered selection of an operation; `state` lets a SEQUENTIAL one resume. */
export const bulkOperationItems = pgTable(
  'bulk_operation_items',
  {
    // No foreign key, because its check runs once per item and took a third of the time to store a
    // selection of 100,000. Items are written only with their operation, in the same transaction,
    // and operations are never deleted (docs/rework.md).
    bulkOperationId: ref('bulk_operation_id').notNull(),
    position: integer('position').notNull(),
    objectId: ref('object_id').notNull(),
    /** PENDING, SUCCEEDED or FAILED. */
    state: text('state').notNull().default('PENDING'),
  },
  (t) => [primaryKey({ columns: [t.bulkOperationId, t.position] })],
);

export const bulkOperationFailures = pgTable(
  'bulk_operation_failures',
  {
    id: id(),
    bulkOperationId: ref('bulk_operation_id').notNull().references(() => bulkOperations.id, { onDelete: 'cascade' }),
    objectId: ref('object_id'),
    objectDisplayName: text('object_display_name'),
    code: text('code').notNull(),
    message: text('message').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('bulk_operation_failures_operation_idx').on(t.bulkOperationId, t.id)],
);

/**
 * Exclusive claims: an object is in at most one running operation, and a tenant has at most one
 * synchronization run or rework at a time. A row exists while the claim is held.
 */
export const objectClaims = pgTable(
  'object_claims',
  {
    objectId: ref('object_id').primaryKey(),
    bulkOperationId: ref('bulk_operation_id').notNull(),
    createdAt: createdAt(),
  },
  // An operation releases its claims by its id when it ends.
  (t) => [index('object_claims_operation_idx').on(t.bulkOperationId)],
);

export const tenantClaims = pgTable('tenant_claims', {
  tenantId: ref('tenant_id').primaryKey(),
  /** SYNCHRONIZATION_RUN or BULK_OPERATION, and the id of the holder. */
  holderKind: text('holder_kind').notNull(),
  holderId: ref('holder_id').notNull(),
  createdAt: createdAt(),
});

/** Durable job queue, claimed with `FOR UPDATE SKIP LOCKED` so several workers can share it. */
export const jobs = pgTable(
  'jobs',
  {
    id: id(),
    queue: text('queue').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    /** QUEUED, RUNNING, SUCCEEDED or FAILED. */
    status: text('status').notNull().default('QUEUED'),
    attempts: integer('attempts').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull().default(5),
    runAt: at('run_at').notNull().defaultNow(),
    lockedBy: text('locked_by'),
    lockedAt: at('locked_at'),
    lastError: text('last_error'),
    createdAt: createdAt(),
    finishedAt: at('finished_at'),
  },
  (t) => [
    index('jobs_ready_idx')
      .on(t.queue, t.runAt, t.id)
      .where(sql`${t.status} = 'QUEUED'`),
  ],
);

export const auditEvents = pgTable(
  'audit_events',
  {
    id: id(),
    actor: text('actor').notNull(),
    actorRole: text('actor_role'),
    action: text('action').notNull(),
    tenantId: ref('tenant_id'),
    subjectType: text('subject_type'),
    subjectId: text('subject_id'),
    /** SUCCEEDED, FAILED or REJECTED. */
    outcome: text('outcome').notNull(),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [
    index('audit_events_actor_idx').on(t.actor, t.id),
    index('audit_events_subject_idx').on(t.subjectId, t.id),
    // The time filter of the audit list.
    index('audit_events_time_idx').on(t.createdAt),
  ],
);

/** Integration-client tokens, stored only as a SHA-256 hash. */
export const apiTokens = pgTable('api_tokens', {
  id: id(),
  name: text('name').notNull(),
  role: text('role').notNull(),
  tenantIds: jsonb('tenant_ids').$type<number[]>().notNull().default([]),
  tokenHash: text('token_hash').notNull().unique(),
  createdBy: text('created_by').notNull(),
  createdAt: createdAt(),
  expiresAt: at('expires_at'),
  revokedAt: at('revoked_at'),
  lastUsedAt: at('last_used_at'),
});

/** Snapshots uploaded with `POST /snapshots`, streamed to disk before a run reads them. */
export const snapshots = pgTable('snapshots', {
  id: text('id').primaryKey(),
  directory: text('directory').notNull(),
  files: jsonb('files').$type<string[]>().notNull(),
  sizeBytes: bigint('size_bytes', { mode: 'number' }).notNull(),
  uploadedBy: text('uploaded_by').notNull(),
  createdAt: createdAt(),
  consumedAt: at('consumed_at'),
});
