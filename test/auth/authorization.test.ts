/**
 * Walks every root field of the schema with every role and checks allow or deny against one table.
 * Each field gets a small generated operation with dummy arguments: what matters is whether the
 * answer is a FORBIDDEN error, not whether the arguments make sense. A new root field without an
 * entry in the table fails the first test.
 */
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildSchema } from '../../src/graphql/schema.ts';
import { globalId, insertTenant } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

type MinimumRole = 'viewer' | 'operator' | 'admin' | 'globalAdmin';

/** The least a caller needs for each root field. `globalAdmin` is an admin without a tenant limit. */
const REQUIRED: Record<string, MinimumRole> = {
  'Query.accountDefinitions': 'viewer',
  'Query.accounts': 'viewer',
  'Query.auditEvents': 'viewer',
  'Query.bulkOperations': 'viewer',
  'Query.identities': 'viewer',
  'Query.manageLevels': 'viewer',
  'Query.node': 'viewer',
  'Query.nodes': 'viewer',
  'Query.outstandingObjects': 'viewer',
  'Query.reworkPreview': 'viewer',
  'Query.syncTables': 'viewer',
  'Query.synchronizationRuns': 'viewer',
  'Query.targetSystemTypes': 'viewer',
  'Query.tenants': 'viewer',
  'Query.unresolvedReferences': 'viewer',
  'Mutation.assignAccountDefinitionToLinkedAccounts': 'operator',
  'Mutation.assignAccountDefinitionToTenant': 'admin',
  'Mutation.assignSyncTables': 'globalAdmin',
  'Mutation.cancelBulkOperation': 'operator',
  'Mutation.changeAccountManagement': 'operator',
  'Mutation.configureTablesForPublishing': 'globalAdmin',
  'Mutation.createAccountDefinition': 'admin',
  'Mutation.createManageLevel': 'globalAdmin',
  'Mutation.createSyncTable': 'globalAdmin',
  'Mutation.createTenant': 'globalAdmin',
  'Mutation.deleteAccountDefinition': 'admin',
  'Mutation.deleteTenant': 'admin',
  'Mutation.retryProvisioning': 'operator',
  'Mutation.reworkOutstandingObjects': 'operator',
  'Mutation.synchronize': 'operator',
  'Mutation.unassignSyncTables': 'globalAdmin',
  'Mutation.updateAccountDefinition': 'admin',
  'Mutation.updateSyncTable': 'globalAdmin',
  'Mutation.updateTenant': 'admin',
  'Subscription.bulkOperationProgress': 'viewer',
  'Subscription.synchronizationRunProgress': 'viewer',
};

type Caller = 'viewer' | 'operator' | 'admin' | 'tenantAdmin';
const CALLERS: Caller[] = ['viewer', 'operator', 'admin', 'tenantAdmin'];

function isAllowed(caller: Caller, required: MinimumRole): boolean {
  const rank = { viewer: 1, operator: 2, admin: 3, tenantAdmin: 3 }[caller];
  if (required === 'globalAdmin') return caller === 'admin';
  return rank >= { viewer: 1, operator: 2, admin: 3 }[required];
}

const schema = buildSchema();
const roots = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].filter(
  (root): root is GraphQLObjectType => root != null,
);
const rootFields = roots.flatMap((root) => Object.values(root.getFields()).map((field) => ({ root, field, key: `${root.name}.${field.name}` })));

/** The type a global ID argument or input field expects, e.g. SyncTable; Tenant when any will do. */
function idTypename(extensions: Record<string, unknown> | null | undefined): string {
  const expected = (extensions?.relayGlobalIDFor as { typename: string }[] | undefined)?.[0]?.typename;
  return expected ?? 'Tenant';
}

/**
 * A literal of `type` that passes GraphQL's document validation, which runs before authorization,
 * and the argument rules of the schema: IDs of the expected type that no object has, so nothing
 * changes, and strings that are also valid domain names.
 */
function dummyValue(type: GraphQLInputType, extensions?: Record<string, unknown> | null): string {
  if (isNonNullType(type)) return dummyValue(type.ofType, extensions);
  if (isListType(type)) return `[${dummyValue(type.ofType, extensions)}]`;
  if (isEnumType(type)) return type.getValues()[0]!.name;
  if (isInputObjectType(type)) {
    const required = Object.values(type.getFields()).filter((field) => isNonNullType(field.type) && field.defaultValue === undefined);
    return `{ ${required.map((field) => `${field.name}: ${dummyValue(field.type, field.extensions)}`).join(', ')} }`;
  }
  if (isScalarType(type)) {
    switch (type.name) {
      case 'ID':
        return JSON.stringify(globalId(idTypename(extensions), 999_999));
      case 'Int':
      case 'Float':
        return '1';
      case 'Boolean':
        return 'false';
      case 'DateTime':
        return '"2026-01-01T00:00:00Z"';
      default:
        return '"unknown.example.com"';
    }
  }
  throw new Error(`no dummy value for ${String(type)}`);
}

function operationFor(root: GraphQLObjectType, field: GraphQLField<unknown, unknown>): string {
  const required = field.args.filter((arg) => isNonNullType(arg.type) && arg.defaultValue === undefined);
  const args = required.length > 0 ? `(${required.map((arg) => `${arg.name}: ${dummyValue(arg.type, arg.extensions)}`).join(', ')})` : '';
  const named = getNamedType(field.type);
  const selection = isScalarType(named) || isEnumType(named) ? '' : ' { __typename }';
  return `${root.name.toLowerCase()} { ${field.name}${args}${selection} }`;
}

describe('authorization of every root field', () => {
  let server: TestServer;
  const tokens = {} as Record<Caller, string>;

  beforeAll(async () => {
    server = await startTestServer('pglite');
    const { tenant } = await insertTenant(server.server.runtime.services.db, { name: 'Authorization' });
    tokens.viewer = await server.createToken('viewer');
    tokens.operator = await server.createToken('operator');
    tokens.admin = await server.createToken('admin');
    tokens.tenantAdmin = await server.createToken('admin', [tenant.name]);
  });
  afterAll(async () => {
    await server?.close();
  });

  test('the table names every root field of the schema and nothing else', () => {
    expect(rootFields.map((entry) => entry.key).sort()).toEqual(Object.keys(REQUIRED).sort());
  });

  /** The error codes a caller gets for one operation; subscriptions go over SSE. */
  async function errorCodes(root: GraphQLObjectType, document: string, token: string): Promise<string[]> {
    if (root.name !== 'Subscription') {
      const result = await server.graphql(document, undefined, { token });
      return (result.errors ?? []).map((error) => String(error.extensions?.code));
    }
    const client = server.sseClient({ token });
    try {
      return await new Promise<string[]>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no answer to ${document}`)), 10_000);
        const codes: string[] = [];
        client.subscribe(
          { query: document },
          {
            next: (value) => codes.push(...(value.errors ?? []).map((error) => String(error.extensions?.code))),
            error: (error) => {
              clearTimeout(timer);
              const list = Array.isArray(error) ? error : [error];
              resolve([...codes, ...list.map((entry: { extensions?: { code?: string } }) => String(entry?.extensions?.code))]);
            },
            complete: () => {
              clearTimeout(timer);
              resolve(codes);
            },
          },
        );
      });
    } finally {
      client.dispose();
    }
  }

  /** Mutations with input that fails validation, the least caller that may run them, and the validation message. */
  const INVALID_INPUT: [string, MinimumRole, string, RegExp][] = [
    [
      'createManageLevel',
      'globalAdmin',
      `mutation { createManageLevel(input: { name: "${'n'.repeat(101)}", inheritsGroups: false }) { errors { code } } }`,
      /^Validation error: input\.name: /,
    ],
    ['synchronize', 'operator', 'mutation { synchronize(input: { tenant: "Authorization", culture: "x" }) { errors { code } } }', /^Validation error: input\.culture: /],
  ];

  test.each(INVALID_INPUT)('%s checks the role before validating input', async (_name, required, document, validationMessage) => {
    for (const caller of CALLERS) {
      const result = await server.graphql(document, undefined, { token: tokens[caller] });
      expect(result.errors, caller).toHaveLength(1);
      if (isAllowed(caller, required)) {
        // The input really is invalid, so the FORBIDDEN errors of the other callers come before validation.
        expect(result.errors![0]!.message, caller).toMatch(validationMessage);
        expect(result.errors![0]!.extensions?.code, caller).toBe('BAD_USER_INPUT');
      } else {
        expect(result.errors![0]!.extensions?.code, caller).toBe('FORBIDDEN');
      }
    }
  });

  test.each(rootFields.map((entry) => [entry.key, entry] as const))('%s allows exactly the roles the table names', async (key, { root, field }) => {
    const required = REQUIRED[key];
    expect(required, `${key} has no entry in the authorization table`).toBeDefined();
    const document = operationFor(root, field);
    for (const caller of CALLERS) {
      const codes = await errorCodes(root, document, tokens[caller]);
      const forbidden = codes.includes('FORBIDDEN');
      expect({ caller, forbidden, codes }, document).toEqual({ caller, forbidden: !isAllowed(caller, required!), codes: expect.any(Array) });
    }
  });
});
