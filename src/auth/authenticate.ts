/**
 * Turns the credentials of a request into an actor: an API token (`swk_...`, looked up by hash)
 * or a JWT from the configured OpenID Connect issuer, checked against its JWKS. Every GraphQL
 * request must carry one; /health and /ready do not.
 */
import { GraphQLError } from 'graphql';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import type { Config } from '../config.ts';
import type { Database } from '../db/client.ts';
import type { Actor, Role } from '../domain/actor.ts';
import {
  LAST_USED_INTERVAL_MS,
  looksLikeApiToken,
  recordApiTokenUse,
  verifyApiToken,
  verifyApiTokenById,
  type ApiTokenRow,
} from '../domain/api-tokens.ts';
import type { Logger } from '../logger.ts';

/** Verified tokens are trusted this long before they are looked up again (revocation delay). */
const CACHE_MS = 2000;

export class AuthenticationError extends GraphQLError {
  constructor(message: string) {
    super(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401, headers: { 'www-authenticate': 'Bearer' } } } });
  }
}

/**
 * Returns the `authorization` value of a graphql-ws `connection_init` payload. The key is matched
 * case-insensitively because clients copy it from the HTTP header name `Authorization`.
 */
export function authorizationFromConnectionParams(params: Record<string, unknown>): string {
  const key = 'authorization' in params ? 'authorization' : Object.keys(params).find((name) => name.toLowerCase() === 'authorization');
  const value = key === undefined ? undefined : params[key];
  if (value === undefined || value === null || value === '') {
    throw new AuthenticationError('Missing bearer token: send {"authorization": "Bearer <token>"} as the connection_init payload.');
  }
  if (typeof value !== 'string') {
    throw new AuthenticationError(`Invalid \`authorization\` in the connection_init payload: expected the string "Bearer <token>", got a ${typeof value}.`);
  }
  return value;
}

export interface Authenticator {
  authenticate(headers: Record<string, string | undefined>): Promise<Actor>;
  /** False once the actor's token was revoked or expired; open subscriptions end then. */
  isStillValid(actor: Actor): Promise<boolean>;
}

export function createAuthenticator(options: { db: Database; config: Config; logger: Logger }): Authenticator {
  const { db, config } = options;
  const log = options.logger.child({ module: 'auth' });
  const cache = new Map<string, { actor: Actor; until: number }>();
  const jwks = config.OIDC_JWKS_URL ? createRemoteJWKSet(new URL(config.OIDC_JWKS_URL)) : undefined;
  const roleMap = parseRoleMap(config.OIDC_ROLE_MAP);
  // Token id to the start of a write of its last_used_at that is still running or has failed. It
  // keeps concurrent requests from writing twice and a failing write from being retried on every
  // verification; after a write succeeds, the stored time decides.
  const lastUseAttempts = new Map<number, number>();
  // Token id to the end of its latest successful write. A row read before then may not show that
  // write yet (a request that was verified while it ran), so it must not cause another one.
  const lastUseWritten = new Map<number, number>();

  /**
   * Records in the background that `row`, read at `readAt`, authenticated a request. This process
   * writes at most once a minute per token, and the UPDATE's own condition keeps other servers to
   * the same rate.
   */
  function recordUse(row: ApiTokenRow, readAt: number): void {
    const now = Date.now();
    if ((lastUseWritten.get(row.id) ?? 0) > readAt) return;
    if (row.lastUsedAt && now - row.lastUsedAt.getTime() < LAST_USED_INTERVAL_MS) return;
    if (now - (lastUseAttempts.get(row.id) ?? 0) < LAST_USED_INTERVAL_MS) return;
    if (lastUseAttempts.size > 10_000) lastUseAttempts.clear();
    if (lastUseWritten.size > 10_000) lastUseWritten.clear();
    lastUseAttempts.set(row.id, now);

    // Not awaited: the request goes on while the row is written, and a failed write loses only
    // the time of use.
    recordApiTokenUse(db, row.id, new Date(now)).then(
      () => {
        lastUseAttempts.delete(row.id);
        lastUseWritten.set(row.id, Date.now());
      },
      (error: unknown) => log.warn({ tokenId: row.id, err: error }, 'Writing last_used_at of an API token failed; the request went on'),
    );
  }

  async function fromApiToken(token: string): Promise<Actor> {
    const readAt = Date.now();
    const { row, problem } = await verifyApiToken(db, token);
    if (!row) throw new AuthenticationError(`${problem} Create one with \`syncrework token create\`.`);
    recordUse(row, readAt);
    return {
      name: `token:${row.id}:${row.name}`,
      kind: 'api-token',
      role: row.role as Role,
      tenantIds: row.tenantIds.length > 0 ? row.tenantIds : null,
      tokenId: row.id,
      expiresAt: row.expiresAt?.getTime(),
    };
  }

  async function fromJwt(token: string): Promise<Actor> {
    if (!jwks || !config.OIDC_ISSUER) {
      throw new AuthenticationError(
        'The bearer token is not valid: API tokens start with `swk_`, and this server accepts no sign-in tokens because OpenID Connect is not configured. Check the token you copied.',
      );
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, jwks, { issuer: config.OIDC_ISSUER, audience: config.OIDC_AUDIENCE }));
    } catch (error) {
      log.info({ reason: (error as Error).message }, 'JWT rejected');
      throw new AuthenticationError(`The bearer token was rejected: ${(error as Error).message}. Sign in again.`);
    }
    const role = roleFromClaim(payload[config.OIDC_ROLES_CLAIM], roleMap);
    if (!role) {
      throw new AuthenticationError(
        `The signed-in user has no syncrework role: claim "${config.OIDC_ROLES_CLAIM}" holds none of ${[...roleMap.keys()].join(', ')}. Ask an administrator to assign one.`,
      );
    }
    const name = String(payload.preferred_username ?? payload.upn ?? payload.email ?? payload.sub ?? 'unknown');
    return { name: `oidc:${name}`, kind: 'oidc', role, tenantIds: null, expiresAt: payload.exp ? payload.exp * 1000 : undefined };
  }

  return {
    async authenticate(headers) {
      const header = headers.authorization;
      if (!header) throw new AuthenticationError('Missing bearer token: send `Authorization: Bearer <token>`.');
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match) throw new AuthenticationError('Malformed Authorization header: expected `Bearer <token>`.');
      const token = match[1]!;

      const cached = cache.get(token);
      if (cached && cached.until > Date.now()) return cached.actor;

      const actor = looksLikeApiToken(token) ? await fromApiToken(token) : await fromJwt(token);
      if (cache.size > 10_000) cache.clear();
      cache.set(token, { actor, until: Date.now() + CACHE_MS });
      return actor;
    },

    async isStillValid(actor) {
      if (actor.expiresAt !== undefined && actor.expiresAt <= Date.now()) return false;
      if (actor.tokenId === undefined) return true;
      for (const [token, entry] of cache) if (entry.actor.tokenId === actor.tokenId) cache.delete(token);
      const { row, problem } = await verifyApiTokenById(db, actor.tokenId);
      return row !== undefined && problem === undefined;
    },
  };
}

/** Parses `Claim.Value=role,...`, e.g. `Syncrework.Admin=admin,Syncrework.Operator=operator`. */
export function parseRoleMap(text: string): Map<string, Role> {
  const map = new Map<string, Role>();
  for (const pair of text.split(',').map((part) => part.trim()).filter(Boolean)) {
    const [claim, role] = pair.split('=').map((part) => part.trim());
    if (claim && (role === 'viewer' || role === 'operator' || role === 'admin')) map.set(claim, role);
  }
  return map;
}

const rank: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };

function roleFromClaim(claim: unknown, roleMap: Map<string, Role>): Role | undefined {
  let values: unknown[] = [];
  if (Array.isArray(claim)) values = claim;
  else if (typeof claim === 'string') values = claim.split(' ');
  let best: Role | undefined;
  for (const value of values) {
    const role = roleMap.get(String(value));
    if (role && (!best || rank[role] > rank[best])) best = role;
  }
  return best;
}
