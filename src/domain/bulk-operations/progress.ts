/**
 * Progress of a running bulk operation. A BULK operation's changes stay inside its transaction
 * until it commits, so progress never comes from reading them. The tracker keeps the whole current
 * state in this process's live progress (all that readers can see on PGlite, whose one connection
 * the transaction holds), publishes an event per change on the pubsub, and writes the counts to the
 * operation's row through the global handle whenever that is allowed: always on PostgreSQL, where
 * the global handle is another pooled connection than the work's transaction, and on PGlite only
 * between the per-object transactions of SEQUENTIAL processing.
 */
import { and, eq, inArray } from 'drizzle-orm';
import { bulkOperations } from '../../db/schema.ts';
import type { EngineServices, StopRequest } from './services.ts';
import { RECENT_FAILURE_COUNT, type BulkOperationRow, type ItemFailure, type LiveBulkOperation } from './types.ts';

export const LIVE_PROGRESS_KIND = 'bulkOperation';

const MIN_WRITE_INTERVAL_MS = 250;

export type ProgressCounts = Pick<BulkOperationRow, 'processed' | 'succeeded' | 'failed'>;

export class BulkOperationProgress {
  private state: LiveBulkOperation;
  private lastWrite = 0;

  constructor(
    private readonly services: EngineServices,
    operation: BulkOperationRow,
  ) {
    this.state = { ...operation, recentFailures: [] };
  }

  get current(): LiveBulkOperation {
    return this.state;
  }

  /** Makes the state visible to readers and subscribers without a database read. */
  start(operation: BulkOperationRow): void {
    this.state = { ...operation, recentFailures: this.state.recentFailures };
    this.publish();
  }

  /** Publishes new counts (and failures); `force` skips the write throttle. */
  update(changes: Partial<BulkOperationRow>, failures: ItemFailure[] = []): void {
    const recentFailures = failures.length === 0 ? this.state.recentFailures : [...this.state.recentFailures, ...failures].slice(-RECENT_FAILURE_COUNT);
    this.state = { ...this.state, ...changes, recentFailures };
    this.publish();
  }

  /**
   * Writes the counts to the row, at most every 250 ms unless `force`, and returns a cancel request
   * when the row carries one (set by this or another server instance). The caller decides whether
   * the global handle may be used now.
   */
  async write(force = false): Promise<StopRequest | null> {
    if (!force && Date.now() - this.lastWrite < MIN_WRITE_INTERVAL_MS) return null;
    this.lastWrite = Date.now();
    try {
      const [row] = await this.services.db
        .update(bulkOperations)
        .set({ processed: this.state.processed, succeeded: this.state.succeeded, failed: this.state.failed })
        .where(and(eq(bulkOperations.id, this.state.id), inArray(bulkOperations.status, ['QUEUED', 'RUNNING'])))
        .returning({ cancelRequested: bulkOperations.cancelRequested, parameters: bulkOperations.parameters });
      if (!row?.cancelRequested) return null;
      return { reason: 'CANCEL', actor: String(row.parameters.canceledBy ?? 'another user') };
    } catch (error) {
      this.services.logger.warn({ err: error, bulkOperationId: this.state.id }, 'writing bulk operation progress failed; the final counts are stored at the end');
      return null;
    }
  }

  /** Forgets the live state once the final state is stored, and publishes an event for subscribers. */
  finish(): void {
    this.services.liveProgress.delete(LIVE_PROGRESS_KIND, this.state.id);
    this.services.pubsub.publish('bulkOperation:progress', this.state.id, { id: this.state.id });
  }

  private publish(): void {
    this.services.liveProgress.set(LIVE_PROGRESS_KIND, this.state.id, this.state as unknown as Record<string, unknown>);
    this.services.pubsub.publish('bulkOperation:progress', this.state.id, { id: this.state.id });
  }
}

/**
 * Shows a just accepted operation from memory on PGlite. There this process is the only one and
 * will run it, and a reader that has to query the row once the operation's BULK transaction has
 * begun would wait for the whole transaction. On PostgreSQL another instance may run it, and
 * reading the row never waits, so nothing is kept.
 */
export function announceAccepted(services: EngineServices, operation: BulkOperationRow): void {
  if (services.databaseKind !== 'pglite') return;
  services.liveProgress.set(LIVE_PROGRESS_KIND, operation.id, { ...operation, recentFailures: [] });
}
