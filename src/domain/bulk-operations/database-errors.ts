/**
 * Tells a database's rejection of one object's change (a check, a foreign key, a trigger that
 * raised) from a failure of the database itself (connection lost, out of resources, deadlock).
 * The first fails that object; the second fails the work as a whole and is retried.
 */

/** SQLSTATE classes of failures that are not about the data: connection, resources, deadlocks, internal errors. */
const INFRASTRUCTURE_CLASSES = new Set(['08', '40', '53', '54', '55', '57', '58', 'XX']);

/** Returns the driver error behind a drizzle error, which drizzle wraps in `cause` with the SQL text as message. */
function driverError(error: unknown): { code?: unknown; message?: unknown } | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const cause = (error as { cause?: unknown }).cause;
  return (typeof cause === 'object' && cause !== null ? cause : error) as { code?: unknown; message?: unknown };
}

/** Returns the SQLSTATE of a database error, or undefined for anything else. */
export function sqlState(error: unknown): string | undefined {
  const code = driverError(error)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** True when the database rejected the data: the change of one object failed, not the database. */
export function isDataRejection(error: unknown): boolean {
  const state = sqlState(error);
  return state !== undefined && !INFRASTRUCTURE_CLASSES.has(state.slice(0, 2));
}

/** Returns the database's own message, without the SQL text that drizzle puts in front of it. */
export function databaseMessage(error: unknown): string {
  const message = driverError(error)?.message;
  return typeof message === 'string' ? message : String(error);
}
