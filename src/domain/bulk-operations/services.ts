/**
 * The services the engine needs from its process, and the operations this process is running now.
 */
import type { Services } from '../../graphql/context.ts';

export type EngineServices = Services;

/** Why a running operation is asked to stop: a user canceled it, or the server is shutting down. */
export type StopRequest = { reason: 'CANCEL'; actor: string } | { reason: 'SHUTDOWN' };

/** Thrown inside the work when a stop was requested; the runner turns it into the final status. */
export class StopRequestedError extends Error {
  constructor(readonly request: StopRequest) {
    super(request.reason === 'CANCEL' ? `canceled by ${request.actor}` : 'server shutting down');
    this.name = 'StopRequestedError';
  }
}

/**
 * Stop switches of the operations running in one process, keyed by the process's services so two
 * servers in one test process stay apart. A cancel request flips the switch at once: on PGlite the
 * cancel mutation could not even write its flag while a BULK transaction holds the connection.
 * Other instances learn of a cancel through `bulk_operations.cancel_requested`.
 */
const running = new WeakMap<EngineServices, Map<number, AbortController>>();

export function runningOperations(services: EngineServices): Map<number, AbortController> {
  let operations = running.get(services);
  if (!operations) {
    operations = new Map();
    running.set(services, operations);
  }
  return operations;
}

/** Asks an operation running in this process to stop; returns false when it does not run here. */
export function requestStop(services: EngineServices, operationId: number, request: StopRequest): boolean {
  const controller = runningOperations(services).get(operationId);
  if (!controller) return false;
  if (!controller.signal.aborted) controller.abort(request);
  return true;
}

/** Throws StopRequestedError when the signal was aborted. */
export function throwIfStopRequested(signal: AbortSignal): void {
  if (!signal.aborted) return;
  const request = signal.reason as StopRequest | undefined;
  throw new StopRequestedError(request && 'reason' in request ? request : { reason: 'SHUTDOWN' });
}

/**
 * Lets the event loop handle I/O (incoming requests, WebSocket frames) before the work goes on.
 * PGlite runs its queries on this thread and resolves them as microtasks, so a loop of queries
 * would otherwise keep every request waiting until the whole operation ends.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
