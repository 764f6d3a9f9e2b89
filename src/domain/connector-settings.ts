/**
 * Connector settings of a target system as the tenant mutations receive them, merged over what is
 * stored, validated with the connector registry's schema, and turned into table columns with the
 * client secret encrypted. The plaintext secret never leaves this module except into the cipher.
 */
import { InvalidConnectorSettingsError, parseConnectorSettings } from '../connectors/registry.ts';
import type { targetSystems } from '../db/schema.ts';
import { DomainError } from './errors.ts';
import { encryptSecret } from './secrets.ts';

export const CONNECTOR_MODES = ['SIMULATED', 'HTTP'] as const;
export type ConnectorMode = (typeof CONNECTOR_MODES)[number];

/** Requested settings; an omitted (or null) field keeps its stored value. */
export interface ConnectorSettingsInput {
  mode?: ConnectorMode | null;
  writeAccess?: boolean | null;
  baseUrl?: string | null;
  tokenEndpoint?: string | null;
  clientId?: string | null;
  clientSecret?: string | null;
}

export type ConnectorColumns = Pick<
  typeof targetSystems.$inferSelect,
  'connectorMode' | 'writeAccess' | 'baseUrl' | 'tokenEndpoint' | 'clientId' | 'encryptedSecret'
>;

const HTTP_ONLY_FIELDS = ['baseUrl', 'tokenEndpoint', 'clientId', 'clientSecret'] as const;
const HTTP_REQUIRED_FIELDS = ['baseUrl', 'tokenEndpoint', 'clientId'] as const;

/**
 * Merges `input` over `current` and validates the result. Switching to SIMULATED clears the HTTP
 * settings and the stored secret. An HTTP target system may lack a client secret for now; its
 * connector then cannot be built until one is stored. Throws DomainError INVALID_INPUT naming the
 * field, or SECRET_KEY_MISSING when a secret is to be stored without SECRET_KEY.
 */
export function resolveConnectorColumns(
  input: ConnectorSettingsInput | null | undefined,
  current: ConnectorColumns | undefined,
  primaryDomain: string,
  secretKey: string | undefined,
): ConnectorColumns {
  const mode = (input?.mode ?? current?.connectorMode ?? 'SIMULATED') as ConnectorMode;
  const writeAccess = input?.writeAccess ?? current?.writeAccess ?? true;

  if (mode === 'SIMULATED') {
    for (const field of HTTP_ONLY_FIELDS) {
      if (input?.[field] != null) {
        throw new DomainError('INVALID_INPUT', `Invalid connector setting ${field}: it applies to the HTTP connector only. Set mode to HTTP or leave ${field} out.`, [
          'input',
          'connector',
          field,
        ]);
      }
    }
    return { connectorMode: mode, writeAccess, baseUrl: null, tokenEndpoint: null, clientId: null, encryptedSecret: null };
  }

  const stored = current?.connectorMode === 'HTTP' ? current : undefined;
  const merged = {
    baseUrl: input?.baseUrl ?? stored?.baseUrl ?? null,
    tokenEndpoint: input?.tokenEndpoint ?? stored?.tokenEndpoint ?? null,
    clientId: input?.clientId ?? stored?.clientId ?? null,
  };
  for (const field of HTTP_REQUIRED_FIELDS) {
    if (merged[field] === null) {
      throw new DomainError('INVALID_INPUT', `Missing connector setting ${field}: the HTTP connector needs baseUrl, tokenEndpoint and clientId.`, [
        'input',
        'connector',
        field,
      ]);
    }
  }

  validateHttpSettings({ mode, writeAccess, ...merged, clientSecret: input?.clientSecret }, primaryDomain);
  const encryptedSecret = input?.clientSecret != null ? encryptSecret(secretKey, input.clientSecret) : (stored?.encryptedSecret ?? null);
  return { connectorMode: mode, writeAccess, ...merged, encryptedSecret };
}

function validateHttpSettings(settings: Record<string, unknown>, primaryDomain: string): void {
  try {
    // A kept (or still missing) secret is not in the input, so a placeholder replaces it for validation.
    parseConnectorSettings({ ...settings, clientSecret: settings.clientSecret ?? 'stored', tenantId: primaryDomain });
  } catch (error) {
    if (!(error instanceof InvalidConnectorSettingsError)) throw error;
    const first = error.issues[0]!;
    const path = first.path === 'tenantId' ? ['input', 'primaryDomain'] : ['input', 'connector', first.path];
    const problems = error.issues.map((issue) => `${issue.path === 'tenantId' ? 'primaryDomain' : issue.path} ${issue.message}`);
    throw new DomainError('INVALID_INPUT', `Invalid connector settings: ${problems.join('; ')}.`, path);
  }
}
