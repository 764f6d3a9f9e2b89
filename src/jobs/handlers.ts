/**
 * The job handlers of every queue, by queue name. Each feature adds its queue here.
 */
import type { Services } from '../graphql/context.ts';
import type { JobHandler } from './queue.ts';

export function jobHandlers(services: Services): Record<string, JobHandler> {
  void services;
  return {};
}
