/**
 * Account management: giving LINKED accounts an account definition and a manage level
 * (LINKED_CONFIGURED), and changing or taking away those of LINKED_CONFIGURED accounts. A request
 * is all or nothing: any offending account rejects it, naming each one with its reasons. Above
 * LINK_BULK_THRESHOLD accounts the checked request becomes a LINK_ACCOUNTS bulk operation.
 */
import { inArray, sql } from 'drizzle-orm';
import type { Database, Executor, Transaction } from '../db/client.ts';
import { objects } from '../db/schema.ts';
import { resolveAccountSelection, type AccountSelection } from './account-filter.ts';
import {
  accountsRejected,
  assertAllFound,
  lockAccounts,
  loadDefinitionFacts,
  loadLevelNames,
  rejectionReasons,
  type AccountFacts,
  type AccountRejection,
  type EvaluationContext,
  type ManagementChange,
} from './account-eligibility.ts';
import { recordAudit } from './audit.ts';
import { runAudited } from './audited.ts';
import type { ChangeContext } from './change-context.ts';
import { DomainError } from './errors.ts';
import { recomputeInheritedMemberships, type InheritanceChanges } from './inheritance.ts';
import type { LinkState } from './link-state.ts';
import { inTenantScope } from './tenant-scope.ts';

export interface AccountManagementContext extends ChangeContext {
  /** MAX_SELECTION_SIZE: the most accounts one request may select. */
  maxSelection: number;
  /** Tenants the actor may see; accounts and definitions of others are reported as not found. Null for all. */
  visibleTenantIds?: number[] | null;
  /** LINK_BULK_THRESHOLD; above it, `startBulkOperation` takes over. Without it, every request runs at once. */
  bulkThreshold?: number;
  /** Queues a LINK_ACCOUNTS bulk operation for the checked accounts and returns its id. */
  startBulkOperation?: (request: BulkRequest) => Promise<number>;
}

export interface BulkRequest {
  method: ManagementMethod;
  change: ManagementChange;
  accountIds: number[];
}

export type ManagementMethod = 'ASSIGN_ACCOUNT_DEFINITION' | 'CHANGE_ACCOUNT_MANAGEMENT';

/** Either the accounts changed at once, or the bulk operation that will change them. */
export interface AccountManagementResult {
  accountIds: number[];
  inheritance: InheritanceChanges | null;
  bulkOperationId: number | null;
}

/** The link state each method requires of the accounts it changes. */
export const REQUIRED_STATE: Record<ManagementMethod, LinkState> = {
  ASSIGN_ACCOUNT_DEFINITION: 'LINKED',
  CHANGE_ACCOUNT_MANAGEMENT: 'LINKED_CONFIGURED',
};

/** Moves LINKED accounts to LINKED_CONFIGURED with the account definition and manage level given. */
export async function assignAccountDefinitionToLinkedAccounts(
  db: Database,
  input: AccountSelection & { accountDefinitionId: number; manageLevelId: number },
  context: AccountManagementContext,
): Promise<AccountManagementResult> {
  const change = { accountDefinitionId: input.accountDefinitionId, manageLevelId: input.manageLevelId };
  return manageAccounts(db, input, change, 'ASSIGN_ACCOUNT_DEFINITION', context);
}

/**
 * Changes the account definition or manage level of LINKED_CONFIGURED accounts. A definition
 * without a manage level brings its default level; `accountDefinitionId: null` takes the
 * definition away (back to LINKED).
 */
export async function changeAccountManagement(
  db: Database,
  input: AccountSelection & ManagementChange,
  context: AccountManagementContext,
): Promise<AccountManagementResult> {
  const change: ManagementChange = { accountDefinitionId: input.accountDefinitionId };
  if (input.manageLevelId != null) change.manageLevelId = input.manageLevelId;
  return manageAccounts(db, input, change, 'CHANGE_ACCOUNT_MANAGEMENT', context);
}

function assertChangeNamesSomething(change: ManagementChange): void {
  if (change.accountDefinitionId === undefined && change.manageLevelId == null) {
    throw new DomainError('INVALID_INPUT', 'Nothing to change: pass accountDefinitionId, manageLevelId or both.', ['input']);
  }
  if (change.accountDefinitionId === null && change.manageLevelId != null) {
    throw new DomainError('INVALID_INPUT', 'Taking the account definition away also takes the manage level away; leave manageLevelId out.', ['input', 'manageLevelId']);
  }
}

async function manageAccounts(
  db: Database,
  selection: AccountSelection,
  change: ManagementChange,
  method: ManagementMethod,
  context: AccountManagementContext,
): Promise<AccountManagementResult> {
  const action = method === 'ASSIGN_ACCOUNT_DEFINITION' ? 'accounts.assignAccountDefinition' : 'accounts.changeManagement';
  const subject = { action, subjectType: 'Account', details: { method, ...change, filter: selection.filter ?? null } };
  const checked = await runAudited(db, context.actor, subject, async (tx) => {
    if (method === 'CHANGE_ACCOUNT_MANAGEMENT') assertChangeNamesSomething(change);
    const ids = await resolveAccountSelection(tx, selection, context.maxSelection);
    const visible = context.visibleTenantIds;
    const accounts = (await lockAccounts(tx, ids)).filter((account) => inTenantScope(visible ?? null, account.tenantId));
    if (selection.accountIds) assertAllFound(ids, accounts);

    const rejections = await findRejections(tx, accounts, change, REQUIRED_STATE[method], { visibleTenantIds: visible });
    if (rejections.length > 0) throw accountsRejected(rejections, method === 'ASSIGN_ACCOUNT_DEFINITION' ? 'get an account definition' : 'have their management changed');

    const accountIds = accounts.map((account) => account.id);
    if (context.startBulkOperation && context.bulkThreshold !== undefined && accountIds.length > context.bulkThreshold) {
      return { accountIds, inheritance: null, deferred: true };
    }
    const inheritance = await applyChange(tx, accountIds, change);
    const tenantIds = [...new Set(accounts.map((account) => account.tenantId))];
    await recordAudit(tx, context.actor, {
      ...subject,
      outcome: 'SUCCEEDED',
      tenantId: tenantIds.length === 1 ? tenantIds[0] : null,
      details: { ...subject.details, count: accountIds.length, accountIds: accountIds.slice(0, 1000), tenantIds, inheritance },
    });
    context.logger?.info({ action, actor: context.actor.name, count: accountIds.length, tenantIds, inheritance }, 'account management changed');
    return { accountIds, inheritance, deferred: false };
  });
  if (!checked.deferred) return { accountIds: checked.accountIds, inheritance: checked.inheritance, bulkOperationId: null };

  // The bulk operation is accepted in a transaction of its own, after the check above released
  // the accounts' locks (on PGlite a second transaction inside the first would wait for ever).
  // It checks every chunk again, so a change in between is caught.
  try {
    const bulkOperationId = await context.startBulkOperation!({ method, change, accountIds: checked.accountIds });
    context.logger?.info({ action, actor: context.actor.name, count: checked.accountIds.length, bulkOperationId }, 'account management queued as a bulk operation');
    return { accountIds: [], inheritance: null, bulkOperationId };
  } catch (error) {
    if (error instanceof DomainError) {
      await recordAudit(db, context.actor, { ...subject, outcome: 'REJECTED', details: { ...subject.details, code: error.code, reason: error.message } });
    }
    throw error;
  }
}

/**
 * Lists the accounts of `accounts` that the change cannot be applied to, with their reasons. The
 * bulk operation's check calls this per chunk.
 */
export async function findRejections(
  db: Executor,
  accounts: AccountFacts[],
  change: ManagementChange,
  requiredState: LinkState,
  options: { visibleTenantIds?: number[] | null } = {},
): Promise<AccountRejection[]> {
  const evaluation = await evaluationContext(db, change, requiredState, accounts, options.visibleTenantIds);
  const rejections: AccountRejection[] = [];
  for (const account of accounts) {
    const reasons = rejectionReasons(account, evaluation);
    if (reasons.length > 0) rejections.push({ objectId: account.id, objectKind: account.objectKind, displayName: account.displayName, reasons });
  }
  return rejections;
}

async function evaluationContext(
  db: Executor,
  change: ManagementChange,
  requiredState: LinkState,
  accounts: AccountFacts[],
  visibleTenantIds?: number[] | null,
): Promise<EvaluationContext> {
  // A level-only change is checked against each account's own definition.
  const definitionIds =
    change.accountDefinitionId === undefined
      ? [...new Set(accounts.map((account) => account.accountDefinitionId).filter((id): id is number => id !== null))]
      : change.accountDefinitionId === null
        ? []
        : [change.accountDefinitionId];
  const definitions = await loadDefinitionFacts(db, definitionIds);
  const named = change.accountDefinitionId != null ? definitions.get(change.accountDefinitionId) : undefined;
  if (change.accountDefinitionId != null && (!named || !inTenantScope(visibleTenantIds ?? null, named.tenantId))) {
    throw new DomainError('NOT_FOUND', `Account definition ${change.accountDefinitionId} not found. List them with the \`accountDefinitions\` query.`, ['input', 'accountDefinitionId']);
  }
  const levelNames = await loadLevelNames(db);
  if (change.manageLevelId != null && !levelNames.has(change.manageLevelId)) {
    throw new DomainError('NOT_FOUND', `Manage level ${change.manageLevelId} not found. List them with the \`manageLevels\` query.`, ['input', 'manageLevelId']);
  }
  return { requiredState, change, definitions, levelNames };
}

/** Writes the change to the accounts and recomputes their inherited memberships. */
export async function applyChange(tx: Transaction, accountIds: readonly number[], change: ManagementChange): Promise<InheritanceChanges> {
  if (accountIds.length === 0) return { added: 0, removed: 0, kept: 0 };
  const set: Record<string, unknown> = { version: sql`${objects.version} + 1`, updatedAt: new Date() };
  if (change.accountDefinitionId === null) {
    set.accountDefinitionId = null;
    set.manageLevelId = null;
  } else if (change.accountDefinitionId !== undefined) {
    set.accountDefinitionId = change.accountDefinitionId;
    set.manageLevelId = change.manageLevelId ?? sql`(select default_manage_level_id from account_definitions where id = ${change.accountDefinitionId})`;
  } else {
    set.manageLevelId = change.manageLevelId;
  }

  const chunkSize = 5000;
  for (let start = 0; start < accountIds.length; start += chunkSize) {
    await tx.update(objects).set(set).where(inArray(objects.id, accountIds.slice(start, start + chunkSize)));
  }
  return recomputeInheritedMemberships(tx, accountIds);
}
