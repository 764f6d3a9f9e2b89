/**
 * The Pothos schema builder: plugins, scalars and the context type. Types live one family per file
 * next to this one, and schema.ts imports them.
 */
import SchemaBuilder from '@pothos/core';
import ComplexityPlugin from '@pothos/plugin-complexity';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import RelayPlugin, { resolveNodes } from '@pothos/plugin-relay';
import ScopeAuthPlugin, { AuthScopeFailureType, type AuthFailure } from '@pothos/plugin-scope-auth';
import SimpleObjectsPlugin from '@pothos/plugin-simple-objects';
import ValidationPlugin, { InputValidationError } from '@pothos/plugin-validation';
import { GraphQLError, type GraphQLResolveInfo } from 'graphql';
import AuthorizeBeforeValidationPlugin from './authorize-before-validation.ts';
import { decodeGlobalIdForClient, resolveNodeForClient, resolveNodesForClient } from './node-lookup.ts';
import { DateTimeResolver, JSONResolver } from './scalars.ts';
import type { Context } from './context.ts';
import { hasRole } from '../domain/actor.ts';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './pagination.ts';

export const builder = new SchemaBuilder<{
  Context: Context;
  AuthScopes: { viewer: boolean; operator: boolean; admin: boolean; globalAdmin: boolean };
  Scalars: {
    DateTime: { Input: Date; Output: Date | string };
    JSON: { Input: unknown; Output: unknown };
  };
  DefaultFieldNullability: false;
  DefaultInputFieldRequiredness: true;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
  Connection: { totalCount: () => Promise<number> };
}>({
  // Validation runs in arg mappers, outside scope-auth's resolver wrapper, whatever the order here;
  // AuthorizeBeforeValidationPlugin checks the scopes of root fields before it.
  plugins: [ScopeAuthPlugin, AuthorizeBeforeValidationPlugin, RelayPlugin, DataloaderPlugin, SimpleObjectsPlugin, ComplexityPlugin, ValidationPlugin],
  defaultFieldNullability: false,
  defaultInputFieldRequiredness: true,
  scopeAuth: {
    authScopes: (context) => ({
      viewer: hasRole(context.actor, 'viewer'),
      operator: hasRole(context.actor, 'operator'),
      admin: hasRole(context.actor, 'admin'),
      // Shared settings (synchronization tables, publishing) belong to every tenant, so only an
      // admin without a tenant limit may change them.
      globalAdmin: hasRole(context.actor, 'admin') && context.actor.tenantIds === null,
    }),
    unauthorizedError: (_parent, context, info, result) => {
      const kind = info.parentType.name === 'Mutation' ? 'mutation' : info.parentType.name === 'Subscription' ? 'subscription' : 'field';
      const limited = context.actor.tenantIds ? ' limited to some tenants' : '';
      const required = describeRequiredRole(result.failure, info) ?? 'a role your token does not have';
      return new GraphQLError(
        `Not authorized: the ${kind} ${info.parentType.name}.${info.fieldName} needs ${required} (yours: ${context.actor.role}${limited}). Ask an administrator for a token with a higher role.`,
        { extensions: { code: 'FORBIDDEN' } },
      );
    },
  },
  validation: {
    // Input that fails its schema is the client's mistake, so it carries BAD_USER_INPUT like
    // GraphQL's own argument errors. The message names each invalid field and why.
    validationError: (failure) => new GraphQLError(new InputValidationError(failure).message, { extensions: { code: 'BAD_USER_INPUT' } }),
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    brandLoadedObjects: true,
    nodeTypeOptions: { description: 'An object with a global ID that `node` and `nodes` resolve.' },
    pageInfoTypeOptions: { description: 'Where a page sits in its connection.' },
    decodeGlobalID: (globalID) => decodeGlobalIdForClient(globalID),
    nodeQueryOptions: {
      description: 'Fetches any object by its global ID; null with a NOT_FOUND error when it does not exist.',
      resolve: (_root, args, _context, info, resolveNode) => resolveNodeForClient(args.id, info, resolveNode),
    },
    nodesQueryOptions: {
      description: 'Fetches objects by global ID, in the order given; null with a NOT_FOUND error for each that does not exist.',
      // The plugin's own resolveNodes callback ignores the IDs passed to it, so the known ones are
      // resolved through the plugin's exported function instead.
      resolve: (_root, args, context, info) => resolveNodesForClient(args.ids, info, (ids) => resolveNodes(thisBuilder(), context, info, ids)),
    },
    idFieldOptions: { description: 'Opaque global ID.' },
    cursorFieldOptions: { description: 'Opaque cursor of this edge, for `after` or `before`.' },
    nodeFieldOptions: { description: 'The item at the end of this edge.' },
    // A connection's cost is its page size times the cost of one item, so `first` counts, not the
    // fixed list multiplier.
    defaultConnectionFieldOptions: {
      complexity: (args: { first?: number | null; last?: number | null }) => ({ field: 1, multiplier: args.first ?? args.last ?? DEFAULT_PAGE_SIZE }),
    },
    edgesFieldOptions: { description: 'The items of this page with their cursors.', complexity: { field: 1, multiplier: 1 } },
    pageInfoFieldOptions: { description: 'Pagination state of this page.' },
    hasNextPageFieldOptions: { description: 'True when more items follow this page.' },
    hasPreviousPageFieldOptions: { description: 'True when items precede this page.' },
    startCursorFieldOptions: { description: 'Cursor of the first item of this page.' },
    endCursorFieldOptions: { description: 'Cursor of the last item of this page.' },
    firstArgOptions: { description: `Number of items to return after \`after\`, 0 to ${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE}).` },
    lastArgOptions: { description: `Number of items to return before \`before\`, 0 to ${MAX_PAGE_SIZE}.` },
    afterArgOptions: { description: 'Cursor to continue after, from a previous page.' },
    beforeArgOptions: { description: 'Cursor to continue before, from a previous page.' },
  },
  complexity: {
    defaultComplexity: 1,
    defaultListMultiplier: 10,
    limit: (context) => ({
      complexity: context.services.config.MAX_QUERY_COMPLEXITY,
      depth: context.services.config.MAX_QUERY_DEPTH,
      breadth: 200,
    }),
    complexityError: (kind, result) => {
      const limits = {
        Complexity: { name: 'complexity', actual: result.complexity, max: result.maxComplexity, variable: 'MAX_QUERY_COMPLEXITY' },
        Depth: { name: 'depth', actual: result.depth, max: result.maxDepth, variable: 'MAX_QUERY_DEPTH' },
        Breadth: { name: 'breadth', actual: result.breadth, max: result.maxBreadth, variable: 'the fixed breadth limit' },
      } as const;
      const limit = limits[kind];
      return new GraphQLError(
        `Query ${limit.name} ${limit.actual} exceeds the limit of ${limit.max} (${limit.variable}). Request fewer fields or smaller pages (\`first\`).`,
        { extensions: { code: 'QUERY_TOO_COMPLEX', limit: limit.name, actual: limit.actual, max: limit.max } },
      );
    },
  },
});

/** The scopes of `AuthScopes` from lowest to highest. An actor that has one of them also has each one before it. */
const scopeOrder = ['viewer', 'operator', 'admin', 'globalAdmin'] as const;
const scopeDescriptions: Record<(typeof scopeOrder)[number], string> = {
  viewer: 'the viewer role',
  operator: 'the operator role',
  admin: 'the admin role',
  globalAdmin: 'the admin role without a tenant limit',
};

/** Returns the scope of `candidates` at `pick` (lowest or highest), or undefined if one is not a known scope. */
function pickScope(candidates: (string | undefined)[], pick: 'lowest' | 'highest'): (typeof scopeOrder)[number] | undefined {
  const ranks = candidates.map((scope) => scopeOrder.indexOf(scope as never));
  if (ranks.length === 0 || ranks.includes(-1)) return undefined;
  return scopeOrder[pick === 'lowest' ? Math.min(...ranks) : Math.max(...ranks)];
}

/** Returns the least scope that satisfies a failed scope-auth check, or undefined when the failure names none. */
function scopeOfFailure(failure: AuthFailure): string | undefined {
  switch (failure.kind) {
    case AuthScopeFailureType.AuthScope:
    case AuthScopeFailureType.GrantedScope:
      return failure.scope;
    case AuthScopeFailureType.AnyAuthScopes:
      return pickScope(failure.failures.map(scopeOfFailure), 'lowest');
    case AuthScopeFailureType.AllAuthScopes:
      return pickScope(failure.failures.map(scopeOfFailure), 'highest');
    default:
      return undefined;
  }
}

/**
 * Describes the role a field needs, e.g. "the operator role". Scope-auth reports only the first
 * check that failed, which is often the type's. So a static `authScopes` map on the field itself is
 * added, and the caller learns the whole requirement at once. Returns undefined when no scope is known.
 */
function describeRequiredRole(failure: AuthFailure, info: GraphQLResolveInfo): string | undefined {
  const fieldOptions = info.parentType.getFields()[info.fieldName]?.extensions?.pothosOptions as { authScopes?: unknown } | undefined;
  const fieldScopes = fieldOptions?.authScopes;
  const fieldScope =
    typeof fieldScopes === 'object' && fieldScopes !== null
      ? pickScope(Object.entries(fieldScopes).filter(([, value]) => value === true).map(([scope]) => scope), 'lowest')
      : undefined;
  const failedScope = scopeOfFailure(failure);
  const scope = failedScope === undefined ? undefined : pickScope(fieldScope ? [failedScope, fieldScope] : [failedScope], 'highest');
  return scope && scopeDescriptions[scope];
}

/** Returns the builder, typed loosely so the options above can refer to it without a circular type. */
function thisBuilder(): PothosSchemaTypes.SchemaBuilder<PothosSchemaTypes.ExtendDefaultTypes<{ Context: Context }>> {
  return builder as never;
}

builder.addScalarType('DateTime', DateTimeResolver);
builder.addScalarType('JSON', JSONResolver);

// Authorization is declared here and on fields, never in resolvers: reading needs the viewer role,
// changing data the operator role, and fields that change settings add `admin` or `globalAdmin`.
builder.queryType({ description: 'Entry points for reading.', authScopes: { viewer: true } });
builder.mutationType({
  description: 'Entry points for changing data. Every mutation takes one `input` and returns a payload with `errors`.',
  authScopes: { operator: true },
});
builder.subscriptionType({ description: 'Live progress of long-running work.', authScopes: { viewer: true } });

builder.globalConnectionField('totalCount', (t) =>
  t.int({
    description: 'Number of items in the whole connection, ignoring pagination.',
    resolve: (connection) => connection.totalCount(),
  }),
);

