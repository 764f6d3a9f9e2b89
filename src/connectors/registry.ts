/**
 * Connector settings as a tenant stores them, their validation, and the factory that turns them
 * into a connector. Exchange Online is the only target system type so far, so both modes create
 * Exchange Online connectors.
 */
import { z } from 'zod';
import { createExchangeOnlineHttpConnector } from './exchange-online/http-connector.ts';
import { createSimulatedExchangeOnlineConnector } from './exchange-online/simulated-connector.ts';
import type { TargetSystemConnector } from './types.ts';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** An https URL, or an http URL on the loopback interface, because the client secret travels in it. */
const endpointUrl = z.string().refine(
  (value) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return false;
    }
    if (url.search !== '' || url.hash !== '') return false;
    return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
  },
  { error: 'must be an absolute https URL without query or fragment (http is allowed only for localhost)' },
);

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOMAIN_NAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

/** Settings of the in-process simulated Exchange Online organization. */
export const simulatedConnectorSettingsSchema = z.object({
  mode: z.literal('SIMULATED'),
  writeAccess: z.boolean(),
  /** Key of the simulated organization. Tenants with the same key share one organization. */
  tenantId: z.string().min(1).optional(),
});

/** Settings of the connector that calls the Exchange Online admin API. */
export const httpConnectorSettingsSchema = z.object({
  mode: z.literal('HTTP'),
  writeAccess: z.boolean(),
  baseUrl: endpointUrl,
  tokenEndpoint: endpointUrl,
  clientId: z.string().trim().min(1),
  clientSecret: z.string().min(1),
  tenantId: z
    .string()
    .refine((value) => GUID.test(value) || DOMAIN_NAME.test(value), {
      error: 'must be the Entra ID tenant id (a GUID) or its primary domain, e.g. contoso.onmicrosoft.com',
    }),
  /** Maximum time in ms for one HTTP request. */
  timeoutMs: z.number().int().positive().max(600_000).optional(),
});

/** Connector settings of a tenant, discriminated by `mode`. */
export const connectorSettingsSchema = z.discriminatedUnion('mode', [
  simulatedConnectorSettingsSchema,
  httpConnectorSettingsSchema,
]);

/** Validated connector settings. */
export type ConnectorSettings = z.infer<typeof connectorSettingsSchema>;

/** Connector settings that failed validation. `issues` names each invalid field. */
export class InvalidConnectorSettingsError extends Error {
  constructor(readonly issues: { path: string; message: string }[]) {
    super(`Invalid connector settings: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`);
    this.name = 'InvalidConnectorSettingsError';
  }
}

/**
 * Validates connector settings. Throws InvalidConnectorSettingsError naming every invalid field.
 * Its message contains no field's value, so a mistyped secret does not leak into a log.
 */
export function parseConnectorSettings(input: unknown): ConnectorSettings {
  const result = connectorSettingsSchema.safeParse(input);
  if (!result.success) {
    throw new InvalidConnectorSettingsError(
      result.error.issues.map((issue) => ({ path: issue.path.join('.') || '(root)', message: issue.message })),
    );
  }
  return result.data;
}

/** Dependencies that tests replace. */
export interface ConnectorOptions {
  fetch?: typeof fetch;
}

/**
 * Validates `settings` and creates the connector they describe.
 * Throws InvalidConnectorSettingsError when the settings are invalid.
 */
export function createConnector(settings: ConnectorSettings, options: ConnectorOptions = {}): TargetSystemConnector {
  const valid = parseConnectorSettings(settings);
  switch (valid.mode) {
    case 'SIMULATED':
      return createSimulatedExchangeOnlineConnector({ writeAccess: valid.writeAccess, tenantId: valid.tenantId });
    case 'HTTP':
      return createExchangeOnlineHttpConnector({ ...valid, fetch: options.fetch });
  }
}
