/**
 * Builds a target system's connector from its stored settings, decrypting the client secret, and
 * checks at start-up that stored secrets can be read with the configured SECRET_KEY.
 */
import { eq, isNotNull } from 'drizzle-orm';
import { createConnector, type ConnectorOptions, type ConnectorSettings } from '../connectors/registry.ts';
import type { TargetSystemConnector } from '../connectors/types.ts';
import type { Executor } from '../db/client.ts';
import { targetSystems, tenants } from '../db/schema.ts';
import { DomainError } from './errors.ts';
import { decryptSecret } from './secrets.ts';
import type { TargetSystemRow } from './tenants.ts';

/** The parts of the process that connectorForTargetSystem needs: the database and SECRET_KEY. */
export interface ConnectorServices {
  db: Executor;
  config: { SECRET_KEY?: string };
}

/**
 * Creates the connector of a target system. The simulated connector keys its organization by the
 * tenant's primary domain; the HTTP connector addresses the tenant by it. Throws DomainError
 * CONNECTOR_NOT_CONFIGURED when an HTTP target system has no client secret yet, and
 * SECRET_KEY_MISSING when the secret cannot be read for want of SECRET_KEY.
 */
export async function connectorForTargetSystem(
  services: ConnectorServices,
  targetSystem: number | TargetSystemRow,
  options: ConnectorOptions = {},
): Promise<TargetSystemConnector> {
  const system = typeof targetSystem === 'number' ? await loadTargetSystem(services.db, targetSystem) : targetSystem;
  const [tenant] = await services.db.select().from(tenants).where(eq(tenants.id, system.tenantId));
  return createConnector(connectorSettingsOf(system, tenant!.primaryDomain, services.config.SECRET_KEY), options);
}

function connectorSettingsOf(system: TargetSystemRow, primaryDomain: string, secretKey: string | undefined): ConnectorSettings {
  if (system.connectorMode === 'SIMULATED') {
    return { mode: 'SIMULATED', writeAccess: system.writeAccess, tenantId: primaryDomain };
  }
  if (system.encryptedSecret === null) {
    throw new DomainError(
      'CONNECTOR_NOT_CONFIGURED',
      `The HTTP connector of target system ${system.name} has no client secret. Store one with updateTenant (connector.clientSecret).`,
    );
  }
  return {
    mode: 'HTTP',
    writeAccess: system.writeAccess,
    baseUrl: system.baseUrl!,
    tokenEndpoint: system.tokenEndpoint!,
    clientId: system.clientId!,
    clientSecret: decryptSecret(secretKey, system.encryptedSecret),
    tenantId: primaryDomain,
  };
}

async function loadTargetSystem(db: Executor, id: number): Promise<TargetSystemRow> {
  const [system] = await db.select().from(targetSystems).where(eq(targetSystems.id, id));
  if (!system) throw new DomainError('NOT_FOUND', `Target system ${id} not found.`);
  return system;
}

/**
 * Fails start-up when the database contains encrypted client secrets that SECRET_KEY cannot decrypt
 * (unset or a different key), naming the tenants, so the mistake shows before a publish needs them.
 */
export async function assertStoredSecretsReadable(db: Executor, secretKey: string | undefined): Promise<void> {
  const stored = await db
    .select({ secret: targetSystems.encryptedSecret, tenant: tenants.name })
    .from(targetSystems)
    .innerJoin(tenants, eq(tenants.id, targetSystems.tenantId))
    .where(isNotNull(targetSystems.encryptedSecret));
  if (stored.length === 0) return;

  const names = stored.map((row) => row.tenant).join(', ');
  if (!secretKey) {
    throw new Error(
      `SECRET_KEY is missing, but the database contains encrypted connector secrets of ${stored.length} tenant(s) (${names}). Start the server with the SECRET_KEY that encrypted them.`,
    );
  }
  const unreadable = stored.filter((row) => {
    try {
      decryptSecret(secretKey, row.secret!);
      return false;
    } catch {
      return true;
    }
  });
  if (unreadable.length > 0) {
    throw new Error(
      `SECRET_KEY does not decrypt the stored connector secrets of ${unreadable.length} tenant(s) (${unreadable.map((row) => row.tenant).join(', ')}). Start the server with the SECRET_KEY that encrypted them.`,
    );
  }
}
