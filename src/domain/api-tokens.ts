/**
 * API tokens for integration clients. A token is shown once when created and stored only as its
 * SHA-256 hash; it may be limited to some tenants and may expire.
 */
import { createHash, randomBytes } from 'node:crypto';
import { and, desc, eq, inArray, isNull, lt, or } from 'drizzle-orm';
import type { Executor } from '../db/client.ts';
import { apiTokens, tenants } from '../db/schema.ts';
import type { Actor, Role } from './actor.ts';
import { recordAudit } from './audit.ts';
import { DomainError } from './errors.ts';

export const ROLES: readonly Role[] = ['viewer', 'operator', 'admin'];
const TOKEN_PREFIX = 'swk_';

/** Minimum time between two writes of a token's `last_used_at`, in milliseconds. */
export const LAST_USED_INTERVAL_MS = 60_000;

export type ApiTokenRow = typeof apiTokens.$inferSelect;

export interface NewApiToken {
  name: string;
  role: string;
  /** Tenant names the token is limited to; empty means every tenant. */
  tenantNames?: string[];
  expiresInDays?: number;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function looksLikeApiToken(token: string): boolean {
  return token.startsWith(TOKEN_PREFIX);
}

/** Creates a token and returns it in clear text; this is the only time it is available. */
export async function createApiToken(db: Executor, actor: Actor, input: NewApiToken): Promise<{ token: string; row: ApiTokenRow }> {
  const name = input.name.trim();
  if (!/^[\w .@-]{1,100}$/.test(name)) {
    throw new DomainError('INVALID_INPUT', `Invalid token name ${JSON.stringify(input.name)}: use 1 to 100 letters, digits, spaces, dots, @, _ or -.`, ['name']);
  }
  if (!ROLES.includes(input.role as Role)) {
    throw new DomainError('INVALID_INPUT', `Invalid role ${JSON.stringify(input.role)}: expected one of ${ROLES.join(', ')}.`, ['role']);
  }
  if (input.expiresInDays !== undefined && (!Number.isInteger(input.expiresInDays) || input.expiresInDays < 1 || input.expiresInDays > 3650)) {
    throw new DomainError('INVALID_INPUT', `Invalid expiry ${input.expiresInDays}: give a whole number of days from 1 to 3650.`, ['expires']);
  }

  const tenantIds = await resolveTenantNames(db, input.tenantNames ?? []);
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  const expiresAt = input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000) : null;
  const [row] = await db
    .insert(apiTokens)
    .values({ name, role: input.role, tenantIds, tokenHash: hashToken(token), createdBy: actor.name, expiresAt })
    .returning();
  await recordAudit(db, actor, {
    action: 'api-token.create',
    outcome: 'SUCCEEDED',
    subjectType: 'ApiToken',
    subjectId: row!.id,
    details: { name, role: input.role, tenantIds, expiresAt },
  });
  return { token, row: row! };
}

async function resolveTenantNames(db: Executor, names: string[]): Promise<number[]> {
  if (names.length === 0) return [];
  const rows = await db.select({ id: tenants.id, name: tenants.name }).from(tenants).where(inArray(tenants.name, names));
  const unknown = names.filter((name) => !rows.some((row) => row.name === name));
  if (unknown.length > 0) {
    throw new DomainError('NOT_FOUND', `Unknown tenant(s): ${unknown.join(', ')}. List tenants with \`syncrework tenant list\`.`, ['tenant']);
  }
  return rows.map((row) => row.id);
}

export async function listApiTokens(db: Executor): Promise<ApiTokenRow[]> {
  return db.select().from(apiTokens).orderBy(desc(apiTokens.id));
}

export async function countActiveApiTokens(db: Executor): Promise<number> {
  const rows = await db.select({ id: apiTokens.id }).from(apiTokens).where(isNull(apiTokens.revokedAt)).limit(1);
  return rows.length;
}

/** Revokes a token by id; a revoked token fails at once, also on open subscriptions. */
export async function revokeApiToken(db: Executor, actor: Actor, id: number): Promise<ApiTokenRow> {
  const [row] = await db
    .update(apiTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)))
    .returning();
  if (!row) {
    throw new DomainError('NOT_FOUND', `No active API token with id ${id}. List tokens with \`syncrework token list\`.`, ['id']);
  }
  await recordAudit(db, actor, { action: 'api-token.revoke', outcome: 'SUCCEEDED', subjectType: 'ApiToken', subjectId: id, details: { name: row.name } });
  return row;
}

/**
 * Sets `last_used_at` of token `id` to `now` unless it was set less than LAST_USED_INTERVAL_MS
 * before. The condition is part of the UPDATE, so instances that share a database skip a write that
 * another one has just made. Returns true when the row was written.
 */
export async function recordApiTokenUse(db: Executor, id: number, now: Date): Promise<boolean> {
  const staleBefore = new Date(now.getTime() - LAST_USED_INTERVAL_MS);
  const written = await db
    .update(apiTokens)
    .set({ lastUsedAt: now })
    .where(and(eq(apiTokens.id, id), or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, staleBefore))))
    .returning({ id: apiTokens.id });
  return written.length > 0;
}

/** Finds the active token for a presented secret, or explains why it is not valid. */
export async function verifyApiToken(db: Executor, token: string): Promise<{ row?: ApiTokenRow; problem?: string }> {
  const [row] = await db.select().from(apiTokens).where(eq(apiTokens.tokenHash, hashToken(token)));
  return checkActive(row);
}

/** Looks a token up by id, e.g. to end the subscriptions of one that was revoked since. */
export async function verifyApiTokenById(db: Executor, id: number): Promise<{ row?: ApiTokenRow; problem?: string }> {
  const [row] = await db.select().from(apiTokens).where(eq(apiTokens.id, id));
  return checkActive(row);
}

function checkActive(row: ApiTokenRow | undefined): { row?: ApiTokenRow; problem?: string } {
  if (!row) return { problem: 'The API token is not valid.' };
  if (row.revokedAt) return { problem: `The API token "${row.name}" was revoked.` };
  if (row.expiresAt && row.expiresAt.getTime() <= Date.now()) return { problem: `The API token "${row.name}" expired on ${row.expiresAt.toISOString()}.` };
  return { row };
}
