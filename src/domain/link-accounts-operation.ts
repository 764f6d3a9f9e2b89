/**
 * LINK_ACCOUNTS bulk operations: account-management requests above LINK_BULK_THRESHOLD accounts,
 * run by the bulk-operation engine with progress like a rework. BULK processing keeps the
 * all-or-nothing promise of the direct request: any account that fails its check rolls back all.
 */
import { sql } from 'drizzle-orm';
import type { Database, Executor, Transaction } from '../db/client.ts';
import { queryRows } from '../db/sql.ts';
import { lockAccounts, type AccountRejection, type ManagementChange } from './account-eligibility.ts';
import { applyChange, findRejections, REQUIRED_STATE, type BulkRequest, type ManagementMethod } from './account-management.ts';
import type { Actor } from './actor.ts';
import { recordAudit } from './audit.ts';
import { acceptBulkOperation } from './bulk-operations/accept.ts';
import { itemsInRange, registerBulkOperationKind, type ChunkContext } from './bulk-operations/kinds.ts';
import type { BulkOperationRow, ItemFailure, ItemRange } from './bulk-operations/types.ts';

export const LINK_ACCOUNTS = 'LINK_ACCOUNTS';

/** Accepts the operation for accounts that passed the request's check; the caller then wakes the job worker. */
export async function startLinkAccountsOperation(db: Database, actor: Actor, request: BulkRequest): Promise<BulkOperationRow> {
  return acceptBulkOperation(db, {
    kind: LINK_ACCOUNTS,
    method: request.method,
    processing: 'BULK',
    continueOnError: false,
    actor,
    parameters: { change: request.change },
    selection: { objectIds: request.accountIds },
  });
}

/**
 * Checks the accounts and changes those that pass, inside `tx`: one chunk of a LINK_ACCOUNTS
 * operation. Accounts that fail are left as they are and returned with their reasons.
 */
export async function processLinkAccounts(
  tx: Transaction,
  accountIds: readonly number[],
  change: ManagementChange,
  method: ManagementMethod = 'ASSIGN_ACCOUNT_DEFINITION',
  ownOperationId?: number,
): Promise<{ succeededIds: number[]; failures: AccountRejection[] }> {
  const failures = await checkAccounts(tx, accountIds, change, method, ownOperationId);
  const failed = new Set(failures.map((failure) => failure.objectId));
  const succeededIds = accountIds.filter((id) => !failed.has(id));
  await applyChange(tx, succeededIds, change);
  return { succeededIds, failures };
}

async function checkAccounts(db: Executor, accountIds: readonly number[], change: ManagementChange, method: ManagementMethod, ownOperationId?: number): Promise<AccountRejection[]> {
  const accounts = await lockAccounts(db, accountIds, { lock: false, ownOperationId });
  const found = new Set(accounts.map((account) => account.id));
  const missing: AccountRejection[] = accountIds
    .filter((id) => !found.has(id))
    .map((id) => ({ objectId: id, objectKind: 'UNKNOWN', displayName: String(id), reasons: [{ code: 'NOT_FOUND', message: 'The account no longer exists.' }] }));
  return [...missing, ...(await findRejections(db, accounts, change, REQUIRED_STATE[method]))];
}

async function itemsOf(db: Executor, operation: BulkOperationRow, range: ItemRange, skip?: ReadonlySet<number>) {
  const rows = await queryRows<{ position: number | string; object_id: number | string }>(db, sql`${itemsInRange(operation.id, range, skip)} order by i.position`);
  return rows.map((row) => ({ position: Number(row.position), objectId: Number(row.object_id) }));
}

const changeOf = (operation: BulkOperationRow) => operation.parameters.change as ManagementChange;
const methodOf = (operation: BulkOperationRow) => operation.method as ManagementMethod;
const auditAction = (operation: BulkOperationRow) =>
  methodOf(operation) === 'ASSIGN_ACCOUNT_DEFINITION' ? 'accounts.assignAccountDefinition' : 'accounts.changeManagement';

registerBulkOperationKind({
  kind: LINK_ACCOUNTS,
  auditAction,

  async check(db: Executor, context: ChunkContext, range: ItemRange): Promise<ItemFailure[]> {
    const items = await itemsOf(db, context.operation, range);
    const positions = new Map(items.map((item) => [item.objectId, item.position]));
    const rejections = await checkAccounts(
      db,
      items.map((item) => item.objectId),
      changeOf(context.operation),
      methodOf(context.operation),
      context.operation.id,
    );
    return rejections.map((rejection) => ({
      position: positions.get(rejection.objectId) ?? null,
      objectId: rejection.objectId,
      objectDisplayName: rejection.objectKind === 'UNKNOWN' ? null : rejection.displayName,
      code: rejection.reasons[0]!.code,
      message: rejection.reasons.map((reason) => reason.message).join(' '),
    }));
  },

  async apply(tx: Transaction, context: ChunkContext, range: ItemRange, skip: ReadonlySet<number>): Promise<void> {
    const ids = (await itemsOf(tx, context.operation, range, skip)).map((item) => item.objectId);
    const inheritance = await applyChange(tx, ids, changeOf(context.operation));
    await recordAudit(tx, context.actor, {
      action: auditAction(context.operation),
      outcome: 'SUCCEEDED',
      subjectType: 'BulkOperation',
      subjectId: context.operation.id,
      details: { ...changeOf(context.operation), positions: range, count: ids.length, accountIds: ids, inheritance },
    });
  },
});
