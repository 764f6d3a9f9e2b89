/**
 * The job handlers of every queue, by queue name. Each feature adds its queue here.
 */
import type { Services } from '../graphql/context.ts';
import type { JobHandler } from './queue.ts';
// Registers the LINK_ACCOUNTS kind with the bulk-operation engine before the worker starts.
import '../domain/link-accounts-operation.ts';
import { reworkJobHandlers } from './rework-jobs.ts';
import { synchronizationJobHandlers } from './synchronization-jobs.ts';

export function jobHandlers(services: Services): Record<string, JobHandler> {
  return {
    ...synchronizationJobHandlers(services),
    ...reworkJobHandlers(services),
  };
}
