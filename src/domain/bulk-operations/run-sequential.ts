/**
 * SEQUENTIAL processing: one object after another in the stored order, each in its own
 * transaction that also marks its item SUCCEEDED, so a restart resumes after the last saved object
 * and never repeats one. The first failure stops the operation and everything before it stays
 * saved; with `continueOnError` it saves every object that succeeds and reports every failure.
 *
 * The kind checks a batch of upcoming objects before their transactions, instead of once per
 * object: the operation's claims keep other operations away from its objects, and its tenant claim
 * keeps synchronization runs away, so only a settings change (publishing, write access) can slip
 * in between, and a publish then fails in its provisioning job with the connector's message.
 */
import { databaseMessage, isDataRejection } from './database-errors.ts';
import { describeItem, markItemSucceeded, sequentialPosition, StoredSelection } from './items.ts';
import type { ChunkContext } from './kinds.ts';
import { storeFailures, storeOutcome, type Outcome } from './outcome.ts';
import type { RunContext } from './run-bulk.ts';
import { StopRequestedError, throwIfStopRequested, yieldToEventLoop } from './services.ts';
import type { ItemFailure } from './types.ts';

const CHECK_BATCH_SIZE = 200;

export async function runSequential(run: RunContext): Promise<void> {
  const { services, operation, kind } = run;
  const { db } = services;
  const selection = new StoredSelection(operation.id, { excludeFailed: true });
  let { succeeded, failed, next } = await sequentialPosition(db, operation.id, operation.total);
  if (next > 1) run.log.info({ resumeAt: next, succeeded, failed }, 'resuming sequential operation after its last saved object');
  const context = (): ChunkContext => ({ operation, actor: run.actor, at: new Date(), selection, markItems: true });
  const noSkip = new Set<number>();
  let stoppedAt: ItemFailure | null = null;

  try {
    batches: while (next <= operation.total) {
      const range = { from: next, to: Math.min(operation.total, next + CHECK_BATCH_SIZE - 1) };
      const checked = new Map((await kind.check(db, context(), range)).map((failure) => [failure.position, failure]));

      for (let position = range.from; position <= range.to; position++) {
        await yieldToEventLoop();
        throwIfStopRequested(run.signal);
        let failure = checked.get(position);
        if (!failure) {
          try {
            await db.transaction(async (tx) => {
              await kind.apply(tx, context(), { from: position, to: position }, noSkip);
              if (!kind.marksItems) await markItemSucceeded(tx, operation.id, position);
            });
            succeeded += 1;
            kind.afterCommit?.(services, operation);
          } catch (error) {
            if (!isDataRejection(error)) throw error;
            const item = await describeItem(db, operation.id, position);
            failure = { position, objectId: item.objectId, objectDisplayName: item.displayName, code: 'DATABASE_ERROR', message: `The database rejected the change: ${databaseMessage(error)}` };
          }
        }
        next = position + 1;

        if (failure) {
          await db.transaction((tx) => storeFailures(tx, operation, run.actor, kind.auditAction(operation), [failure], { markItems: true }));
          failed += 1;
          if (failure.objectId !== null) selection.exclude(failure.objectId);
          run.progress.update({ processed: succeeded + failed, succeeded, failed }, [failure]);
          if (!operation.continueOnError) {
            stoppedAt = failure;
            break batches;
          }
          // The checks after this one counted the failed object as part of the selection.
          continue batches;
        }
        run.progress.update({ processed: succeeded + failed, succeeded, failed });
        const stop = await run.progress.write();
        if (stop) throw new StopRequestedError(stop);
      }
    }
  } catch (error) {
    if (!(error instanceof StopRequestedError)) throw error;
    if (error.request.reason === 'SHUTDOWN') {
      // Left RUNNING on purpose: the job goes back to the queue and the next worker resumes here.
      await run.progress.write(true);
      run.log.info({ succeeded, failed, resumeAt: next }, 'sequential operation paused by shutdown; it resumes on the next start');
      throw error;
    }
    const outcome: Outcome = {
      status: 'CANCELED',
      statusReason: `Canceled by ${error.request.actor} after ${succeeded + failed} of ${operation.total} objects. The ${succeeded} saved object(s) stay saved.`,
      processed: succeeded + failed,
      succeeded,
      failed,
      rolledBack: false,
    };
    await storeOutcome(db, operation, run.actor, outcome);
    run.log.info({ canceledBy: error.request.actor, succeeded, failed }, 'sequential operation canceled');
    return;
  }

  await storeOutcome(db, operation, run.actor, finalOutcome(operation.total, succeeded, failed, stoppedAt));
  run.log.info({ succeeded, failed, stopped: stoppedAt !== null }, 'sequential operation finished');
}

function finalOutcome(total: number, succeeded: number, failed: number, stoppedAt: ItemFailure | null): Outcome {
  const counts = { processed: succeeded + failed, succeeded, failed, rolledBack: false };
  if (stoppedAt) {
    const remaining = total - succeeded - failed;
    const statusReason =
      `Stopped at ${stoppedAt.objectDisplayName ?? 'object'} (${stoppedAt.objectId}): ${stoppedAt.message} ` +
      `The ${succeeded} object(s) before it stay saved; the remaining ${remaining} were not processed.`;
    return { status: 'FAILED', statusReason, ...counts };
  }
  if (failed === 0) return { status: 'SUCCEEDED', statusReason: null, ...counts };
  if (succeeded === 0) return { status: 'FAILED', statusReason: `All ${failed} objects failed; see failures.`, ...counts };
  return { status: 'PARTIALLY_SUCCEEDED', statusReason: `${failed} of ${total} objects failed; the other ${succeeded} were saved. See failures.`, ...counts };
}
