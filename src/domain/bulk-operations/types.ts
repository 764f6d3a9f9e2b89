/**
 * Words of the bulk-operation engine: an operation, its statuses, ranges of its stored selection,
 * and the failure of one object. The engine is shared by every kind of long work over many objects
 * (rework, linking accounts); see kinds.ts for how a kind plugs in.
 */
import type { bulkOperationFailures, bulkOperations } from '../../db/schema.ts';

export type BulkOperationRow = typeof bulkOperations.$inferSelect;
export type BulkOperationFailureRow = typeof bulkOperationFailures.$inferSelect;

export const BULK_OPERATION_STATUSES = [
  'QUEUED',
  'RUNNING',
  'SUCCEEDED',
  'PARTIALLY_SUCCEEDED',
  'FAILED',
  'INTERRUPTED',
  'CANCELED',
] as const;
export type BulkOperationStatus = (typeof BULK_OPERATION_STATUSES)[number];

export const FINAL_BULK_OPERATION_STATUSES: readonly BulkOperationStatus[] = [
  'SUCCEEDED',
  'PARTIALLY_SUCCEEDED',
  'FAILED',
  'INTERRUPTED',
  'CANCELED',
];

export function isFinalBulkOperationStatus(status: string): boolean {
  return (FINAL_BULK_OPERATION_STATUSES as readonly string[]).includes(status);
}

/** BULK: the whole selection in one transaction. SEQUENTIAL: one transaction per object. */
export const PROCESSING_MODES = ['BULK', 'SEQUENTIAL'] as const;
export type Processing = (typeof PROCESSING_MODES)[number];

/** Positions `from` to `to` (both included) of an operation's stored selection, which starts at 1. */
export interface ItemRange {
  from: number;
  to: number;
}

/** The reason one object of an operation was not changed. */
export interface ItemFailure {
  /** Position in the stored selection; null for an object outside it (a dependent row). */
  position: number | null;
  objectId: number | null;
  objectDisplayName: string | null;
  /** Stable code: a constraint code, NOT_FOUND, BUSY or DATABASE_ERROR. */
  code: string;
  message: string;
}

/** Operation state published while it runs, newest failures included. */
export type LiveBulkOperation = BulkOperationRow & { recentFailures: ItemFailure[] };

/** How many of the newest failures a progress event carries; the rest are in `failures`. */
export const RECENT_FAILURE_COUNT = 10;
