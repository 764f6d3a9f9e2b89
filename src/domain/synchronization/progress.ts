/**
 * Progress of a running synchronization run. The run's own transaction holds its changes until it
 * commits, so progress never comes from reading them: each step publishes its counts on the
 * pubsub, keeps the newest state in this process's live progress (all that readers can see on
 * PGlite, whose one connection the run holds), and on PostgreSQL also writes the counts to the run
 * row through the global handle, which uses another pooled connection than the run's transaction.
 */
import { eq } from 'drizzle-orm';
import { synchronizationRuns } from '../../db/schema.ts';
import type { Services } from '../../graphql/context.ts';
import type { RunCounts } from './scope.ts';
import type { SynchronizationRunRow } from '../synchronization-runs.ts';

export const LIVE_PROGRESS_KIND = 'synchronizationRun';

const MIN_WRITE_INTERVAL_MS = 250;

export class RunProgress {
  private writing: Promise<void> = Promise.resolve();
  private writeQueued = false;
  private lastWrite = 0;

  constructor(
    private readonly services: Services,
    private readonly runId: number,
    private readonly counts: RunCounts,
  ) {}

  /** Makes the running state visible: the whole row, so readers need not query it while the run holds PGlite. */
  start(row: SynchronizationRunRow): void {
    this.services.liveProgress.set(LIVE_PROGRESS_KIND, this.runId, { ...row, counts: this.counts.totals(), tableCounts: {} });
    this.publish();
  }

  /** Publishes the counts reached so far. */
  report(): void {
    this.services.liveProgress.set(LIVE_PROGRESS_KIND, this.runId, {
      counts: this.counts.totals(),
      tableCounts: this.counts.perTable(),
    });
    this.publish();
    if (this.services.databaseKind === 'postgres') this.scheduleWrite();
  }

  /** Waits for a progress write in flight, so the run's final update of its row comes after it. */
  async settle(): Promise<void> {
    this.writeQueued = false;
    await this.writing;
  }

  /** Forgets the live state once the final state is stored, and tells subscribers. */
  finish(): void {
    this.services.liveProgress.delete(LIVE_PROGRESS_KIND, this.runId);
    this.publish();
  }

  private publish(): void {
    this.services.pubsub.publish('synchronizationRun:progress', this.runId, { id: this.runId });
  }

  private scheduleWrite(): void {
    if (this.writeQueued) return;
    this.writeQueued = true;
    const wait = Math.max(0, this.lastWrite + MIN_WRITE_INTERVAL_MS - Date.now());
    this.writing = this.writing.then(async () => {
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (!this.writeQueued) return;
      this.writeQueued = false;
      this.lastWrite = Date.now();
      try {
        await this.services.db
          .update(synchronizationRuns)
          .set({ counts: this.counts.totals(), tableCounts: this.counts.perTable() })
          .where(eq(synchronizationRuns.id, this.runId));
      } catch (error) {
        this.services.logger.warn({ err: error, runId: this.runId }, 'writing synchronization progress failed; the final counts are stored at the end');
      }
    });
  }
}
