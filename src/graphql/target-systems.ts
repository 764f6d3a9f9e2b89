/**
 * The TargetSystem type: one tenant's synchronized Exchange Online organization and its connector
 * settings. The client secret is never readable; `hasClientSecret` tells whether one is stored.
 */
import { builder } from './builder.ts';
import { integerNodeId } from './node-ids.ts';
import { TargetSystemType } from './target-system-types.ts';
import type { CONNECTOR_MODES } from '../domain/connector-settings.ts';
import { loadTargetSystems } from '../domain/tenant-reads.ts';
import { tenantScope } from '../domain/tenant-scope.ts';
import type { TargetSystemRow } from '../domain/tenants.ts';

export const ConnectorMode = builder.enumType('ConnectorMode', {
  description: 'Which connector writes published objects to the target system.',
  values: {
    SIMULATED: { description: 'An in-process simulated organization, for trying the product; nothing leaves the server.' },
    HTTP: { description: 'The Exchange Online admin API, authorized with an Entra ID application (client credentials).' },
  } satisfies Record<(typeof CONNECTOR_MODES)[number], { description: string }>,
});

export const TargetSystem = builder.loadableNodeRef<TargetSystemRow, number, number>('TargetSystem', {
  id: integerNodeId,
  load: async (ids, context) => {
    const rows = await loadTargetSystems(context.db, ids, tenantScope(context.actor));
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? new Error(`TargetSystem ${id} not found.`));
  },
});

builder.objectType(TargetSystem, {
  description: 'The synchronized directory of one tenant, e.g. its Exchange Online organization, with its connector settings.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Display name, e.g. "Exchange Online (contoso.com)".' }),
    type: t.field({
      type: TargetSystemType,
      description: 'The kind of target system; it decides which synchronization tables apply.',
      resolve: (row) => row.targetSystemTypeId,
    }),
    connectorMode: t.field({ type: ConnectorMode, description: 'Which connector publishes objects.', resolve: (row) => row.connectorMode as 'SIMULATED' | 'HTTP' }),
    writeAccess: t.exposeBoolean('writeAccess', {
      description: 'Whether the connector may write to the target system. Without it, publishing is disabled (constraint NO_WRITE_ACCESS).',
    }),
    baseUrl: t.exposeString('baseUrl', { nullable: true, description: 'HTTP connector: base URL of the Exchange Online admin API, e.g. `https://outlook.office365.com`.' }),
    tokenEndpoint: t.exposeString('tokenEndpoint', {
      nullable: true,
      description: 'HTTP connector: the Entra ID OAuth 2.0 token endpoint, e.g. `https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token`.',
    }),
    clientId: t.exposeString('clientId', { nullable: true, description: 'HTTP connector: application (client) id of the Entra ID app registration.' }),
    hasClientSecret: t.boolean({
      description: 'HTTP connector: true when a client secret is stored (encrypted). The secret itself is never returned.',
      resolve: (row) => row.encryptedSecret !== null,
    }),
    version: t.exposeInt('version', { description: 'Increases with every change of the connector settings.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When the settings last changed.' }),
  }),
});
