/**
 * BULK processing: the whole selection in one transaction, in chunks of set-based statements.
 * Any failure rolls every change back and the operation ends FAILED, naming the failed objects.
 * With `continueOnError` it goes on through every chunk first, so one run names every object that
 * must be fixed, and still rolls back.
 *
 * When a chunk's statement fails, the engine cannot tell from the database's error which object
 * caused it, so it halves the chunk inside savepoints until it reaches single objects: about
 * 2 * log2(chunk size) statements to find one failing object among thousands.
 */
import type { Transaction } from '../../db/client.ts';
import type { Logger } from '../../logger.ts';
import type { Actor } from '../actor.ts';
import { databaseMessage, isDataRejection } from './database-errors.ts';
import { describeItem, StoredSelection } from './items.ts';
import type { BulkOperationKind, ChunkContext } from './kinds.ts';
import { storeFailures, storeOutcome, type Outcome } from './outcome.ts';
import type { BulkOperationProgress } from './progress.ts';
import { StopRequestedError, throwIfStopRequested, yieldToEventLoop, type EngineServices } from './services.ts';
import type { BulkOperationRow, ItemFailure, ItemRange } from './types.ts';

const DEFAULT_CHUNK_SIZE = 2000;

export interface RunContext {
  services: EngineServices;
  operation: BulkOperationRow;
  kind: BulkOperationKind;
  actor: Actor;
  progress: BulkOperationProgress;
  /** Aborted with a StopRequest when the operation is canceled or the server shuts down. */
  signal: AbortSignal;
  log: Logger;
}

/** Raised inside the transaction so that it rolls back; the failures are stored afterwards. */
class ItemsFailedError extends Error {}

export async function runBulk(run: RunContext): Promise<void> {
  const { services, operation, kind } = run;
  const selection = new StoredSelection(operation.id);
  const failures: ItemFailure[] = [];
  let processed = 0;

  try {
    await services.db.transaction(async (tx) => {
      // A kind with a fast path checks each range as it changes it (applyChunk).
      const checked = kind.applyIfClean ? [] : await checkSelection(tx, run, selection);
      if (checked.length > 0 && !operation.continueOnError) {
        failures.push(...checked);
        throw new ItemsFailedError();
      }

      const chunkSize = kind.chunkSize ?? DEFAULT_CHUNK_SIZE;
      for (let from = 1; from <= operation.total; from += chunkSize) {
        // Serves progress subscribers and a cancel request between chunks (see yieldToEventLoop).
        await yieldToEventLoop();
        throwIfStopRequested(run.signal);
        const range = { from, to: Math.min(operation.total, from + chunkSize - 1) };
        const context: ChunkContext = { operation, actor: run.actor, at: new Date(), selection, markItems: false };
        const checkedHere = checked.filter((failure) => failure.position !== null && failure.position >= range.from && failure.position <= range.to);
        const skip = new Set(checkedHere.map((failure) => failure.position!));
        const chunkFailures = [...checkedHere, ...(await applyChunk(tx, run, context, range, skip))];

        processed = range.to;
        failures.push(...chunkFailures);
        for (const failure of chunkFailures) if (failure.objectId !== null) selection.exclude(failure.objectId);
        run.progress.update({ processed, succeeded: processed - failures.length, failed: failures.length }, chunkFailures);
        if (chunkFailures.length > 0 && !operation.continueOnError) throw new ItemsFailedError();

        // On PGlite this transaction holds the only connection, so progress stays in memory there.
        if (services.databaseKind === 'postgres') {
          const stop = await run.progress.write();
          if (stop) throw new StopRequestedError(stop);
        }
      }
      if (failures.length > 0) throw new ItemsFailedError();
      await storeOutcome(tx, operation, run.actor, { status: 'SUCCEEDED', statusReason: null, processed, succeeded: processed, failed: 0, rolledBack: false });
    });
    kind.afterCommit?.(services, operation);
    run.log.info({ processed }, 'bulk operation succeeded');
  } catch (error) {
    const outcome = outcomeAfterRollback(run, error, processed, failures);
    await services.db.transaction(async (tx) => {
      await storeFailures(tx, operation, run.actor, kind.auditAction(operation), failures, { markItems: false });
      await storeOutcome(tx, operation, run.actor, outcome);
    });
  }
}

/**
 * Checks the whole selection before the first change, in ranges of the kind's `checkBatchSize`,
 * inside the work's transaction, for a kind without the `applyIfClean` fast path. Within one
 * transaction, checking everything first judges each object as checking it right before its chunk
 * would, and takes far fewer statements.
 */
async function checkSelection(tx: Transaction, run: RunContext, selection: StoredSelection): Promise<ItemFailure[]> {
  const { operation, kind } = run;
  const batchSize = kind.checkBatchSize ?? kind.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const failures: ItemFailure[] = [];
  for (let from = 1; from <= operation.total; from += batchSize) {
    const range = { from, to: Math.min(operation.total, from + batchSize - 1) };
    failures.push(...(await kind.check(tx, { operation, actor: run.actor, at: new Date(), selection, markItems: false }, range)));
    if (failures.length > 0 && !operation.continueOnError) break;
  }
  return failures;
}

/**
 * Applies a range. Through the kind's fast path when it has one: only a range in which some item
 * may fail is checked in detail, and then applied without the items that fail.
 */
async function applyChunk(tx: Transaction, run: RunContext, context: ChunkContext, range: ItemRange, skip: ReadonlySet<number>): Promise<ItemFailure[]> {
  if (!run.kind.applyIfClean) return applyNarrowing(tx, run, context, range, skip);
  if (await applyIfClean(tx, run, context, range)) return [];
  const found = await run.kind.check(tx, context, range);
  if (found.length > 0 && !run.operation.continueOnError) return found;
  const failed = new Set(found.map((failure) => failure.position!));
  return [...found, ...(await applyNarrowing(tx, run, context, range, failed))];
}

/** Runs the kind's fast path in a savepoint; a range the database rejects takes the detailed path. */
async function applyIfClean(tx: Transaction, run: RunContext, context: ChunkContext, range: ItemRange): Promise<boolean> {
  try {
    return await tx.transaction((savepoint) => run.kind.applyIfClean!(savepoint, context, range));
  } catch (error) {
    if (!isDataRejection(error)) throw error;
    return false;
  }
}

/** Applies a range in a savepoint; when the database rejects it, halves the range to find the objects at fault. */
async function applyNarrowing(tx: Transaction, run: RunContext, context: ChunkContext, range: ItemRange, skip: ReadonlySet<number>): Promise<ItemFailure[]> {
  try {
    await tx.transaction((savepoint) => run.kind.apply(savepoint, context, range, skip));
    return [];
  } catch (error) {
    if (!isDataRejection(error)) throw error;
    if (range.from === range.to) {
      const item = await describeItem(tx, run.operation.id, range.from);
      return [{ position: range.from, objectId: item.objectId, objectDisplayName: item.displayName, code: 'DATABASE_ERROR', message: `The database rejected the change: ${databaseMessage(error)}` }];
    }
    const middle = Math.floor((range.from + range.to) / 2);
    const first = await applyNarrowing(tx, run, context, { from: range.from, to: middle }, skip);
    if (first.length > 0 && !run.operation.continueOnError) return first;
    const second = await applyNarrowing(tx, run, context, { from: middle + 1, to: range.to }, skip);
    return [...first, ...second];
  }
}

function outcomeAfterRollback(run: RunContext, error: unknown, processed: number, failures: ItemFailure[]): Outcome {
  const counts = { processed, succeeded: 0, failed: failures.length, rolledBack: true };
  if (error instanceof ItemsFailedError) {
    const first = failures[0]!;
    const named = `${first.objectDisplayName ?? 'object'} (${first.objectId}): ${first.message}`;
    const statusReason =
      failures.length === 1
        ? `${named} Every change of this operation was rolled back.`
        : `${failures.length} objects failed, the first ${named} Every change of this operation was rolled back; see failures for all of them.`;
    run.log.warn({ failed: failures.length, firstObjectId: first.objectId }, 'bulk operation failed and rolled back');
    return { status: 'FAILED', statusReason, ...counts };
  }
  if (error instanceof StopRequestedError) {
    if (error.request.reason === 'CANCEL') {
      run.log.info({ canceledBy: error.request.actor, processed }, 'bulk operation canceled and rolled back');
      return { status: 'CANCELED', statusReason: `Canceled by ${error.request.actor}. Every change of this operation was rolled back.`, ...counts };
    }
    run.log.warn({ processed }, 'bulk operation interrupted by shutdown and rolled back');
    return { status: 'INTERRUPTED', statusReason: INTERRUPTED_REASON, ...counts };
  }
  run.log.error({ err: error, processed }, 'bulk operation failed with an unexpected error and rolled back');
  return { status: 'FAILED', statusReason: `Unexpected error: ${databaseMessage(error)}. Every change of this operation was rolled back.`, ...counts };
}

export const INTERRUPTED_REASON =
  'The server stopped while this operation was running. Bulk processing is one transaction, so nothing was saved. Submit the selection again as a new operation.';
