/**
 * Who makes a request. Every audit record and `requestedBy` reads it from the request's context,
 * so authentication changes how an actor is built and nothing else.
 */
import os from 'node:os';

export type Role = 'viewer' | 'operator' | 'admin';

export interface Actor {
  /** Shown in audit records and `requestedBy`: a user name, `token:<name>` or `anonymous`. */
  name: string;
  kind: 'anonymous' | 'os-user' | 'api-token' | 'oidc';
  role: Role;
  /** Tenants this actor is limited to; null means every tenant. */
  tenantIds: number[] | null;
  /** API token the actor presented, so revocation can end its open subscriptions. */
  tokenId?: number;
  /** When the credentials expire, in milliseconds since the epoch. */
  expiresAt?: number;
}

const roleRank: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };

/** True when `actor` has at least the rights of `role`. */
export function hasRole(actor: Actor, role: Role): boolean {
  return roleRank[actor.role] >= roleRank[role];
}

/** The operating-system user running the command line, or calling the server's local socket. */
export function operatingSystemActor(): Actor {
  return { name: `os:${os.userInfo().username}`, kind: 'os-user', role: 'admin', tenantIds: null };
}
