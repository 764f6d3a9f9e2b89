/**
 * Optimistic concurrency: a change carries the version it was based on, and the UPDATE matches
 * that version only. When another write came first, the caller gets a CONFLICT naming both
 * versions, and nothing of either write is lost.
 */
import { DomainError } from './errors.ts';

export function versionConflict(subject: string, expectedVersion: number, currentVersion: number): DomainError {
  return new DomainError(
    'CONFLICT',
    `${subject} was changed by someone else: your change is based on version ${expectedVersion}, the current version is ${currentVersion}. Reload it, apply your change again and send the new version.`,
    ['input', 'version'],
    { expectedVersion, currentVersion },
  );
}

/** Unique-key violation from PostgreSQL (23505), also when drizzle wrapped the driver's error. */
export function isUniqueViolation(error: unknown): boolean {
  for (let current = error; current; current = (current as { cause?: unknown }).cause) {
    if ((current as { code?: unknown }).code === '23505') return true;
  }
  return false;
}
