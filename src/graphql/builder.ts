/**
 * The Pothos schema builder: plugins, scalars and the context type. Types live one family per file
 * next to this one, and schema.ts imports them.
 */
import SchemaBuilder from '@pothos/core';
import ComplexityPlugin from '@pothos/plugin-complexity';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import SimpleObjectsPlugin from '@pothos/plugin-simple-objects';
import ValidationPlugin from '@pothos/plugin-validation';
import { GraphQLError } from 'graphql';
import { DateTimeResolver, JSONResolver } from './scalars.ts';
import type { Context } from './context.ts';
import { hasRole } from '../domain/actor.ts';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './pagination.ts';

export const builder = new SchemaBuilder<{
  Context: Context;
  AuthScopes: { viewer: boolean; operator: boolean; admin: boolean };
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
  plugins: [ScopeAuthPlugin, RelayPlugin, DataloaderPlugin, SimpleObjectsPlugin, ComplexityPlugin, ValidationPlugin],
  defaultFieldNullability: false,
  defaultInputFieldRequiredness: true,
  scopeAuth: {
    authScopes: (context) => ({
      viewer: hasRole(context.actor, 'viewer'),
      operator: hasRole(context.actor, 'operator'),
      admin: hasRole(context.actor, 'admin'),
    }),
    unauthorizedError: (_parent, context, _info, result) =>
      new GraphQLError(`Not authorized: ${result.message}. Your role is ${context.actor.role}.`, {
        extensions: { code: 'FORBIDDEN' },
      }),
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    brandLoadedObjects: true,
    nodeTypeOptions: { description: 'An object with a global ID that `node` and `nodes` resolve.' },
    pageInfoTypeOptions: { description: 'Where a page sits in its connection.' },
    nodeQueryOptions: { description: 'Fetches any object by its global ID; null when it does not exist.' },
    nodesQueryOptions: { description: 'Fetches objects by global ID, in the order given; null for each that does not exist.' },
    idFieldOptions: { description: 'Opaque global ID.' },
    cursorFieldOptions: { description: 'Opaque cursor of this edge, for `after` or `before`.' },
    nodeFieldOptions: { description: 'The item at the end of this edge.' },
    edgesFieldOptions: { description: 'The items of this page with their cursors.' },
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
    limit: { complexity: 20_000, depth: 12, breadth: 200 },
  },
});

builder.addScalarType('DateTime', DateTimeResolver);
builder.addScalarType('JSON', JSONResolver);

builder.queryType({ description: 'Entry points for reading.' });
builder.mutationType({ description: 'Entry points for changing data. Every mutation takes one `input` and returns a payload with `errors`.' });
builder.subscriptionType({ description: 'Live progress of long-running work.' });

builder.globalConnectionField('totalCount', (t) =>
  t.int({
    description: 'Number of items in the whole connection, ignoring pagination.',
    resolve: (connection) => connection.totalCount(),
  }),
);

