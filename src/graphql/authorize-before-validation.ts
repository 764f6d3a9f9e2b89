/**
 * A Pothos plugin that checks the scope-auth scopes of query and mutation fields before their
 * arguments are validated, so a caller without the role gets FORBIDDEN and never learns which
 * input the field would reject.
 *
 * It is needed because @pothos/plugin-validation 4.3 validates arguments in an arg mapper, and
 * @pothos/core 4.15 runs the arg mappers outside every plugin's `wrapResolve` (MergedPlugins in
 * core's `plugins/merge-plugins.js`), which is where @pothos/plugin-scope-auth 4.2 checks
 * authorization. The order of the plugins list cannot change that. Core's `wrapArgMappers` hook
 * wraps outside the arg mappers, and this plugin evaluates the same scope maps there through
 * scope-auth's per-request cache, so scope-auth's own check afterwards costs no second evaluation.
 *
 * Only static scope maps (objects such as `{ admin: true }`) are checked early. A field with an
 * `authScopes` function may depend on its arguments, so it is left to scope-auth alone.
 */
import SchemaBuilder, { BasePlugin, type PothosOutputFieldConfig, type SchemaTypes } from '@pothos/core';
import { RequestCache, type AuthFailure } from '@pothos/plugin-scope-auth';
import type { GraphQLFieldResolver } from 'graphql';

const pluginName = 'authorizeBeforeValidation';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Pothos looks plugins up in this global namespace.
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      authorizeBeforeValidation: AuthorizeBeforeValidationPlugin<Types>;
    }
  }
}

type ScopeMap = Record<string, unknown>;

function isScopeMap(value: unknown): value is ScopeMap {
  return typeof value === 'object' && value !== null;
}

export class AuthorizeBeforeValidationPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override wrapArgMappers(
    resolver: GraphQLFieldResolver<unknown, Types['Context'], object>,
    fieldConfig: PothosOutputFieldConfig<Types>,
  ): GraphQLFieldResolver<unknown, Types['Context'], object> {
    if (fieldConfig.argMappers.length === 0) return resolver;
    const typeConfig = this.buildCache.getTypeConfig(fieldConfig.parentType);
    if (typeConfig.kind !== 'Query' && typeConfig.kind !== 'Mutation') return resolver;

    const typeScopes = (typeConfig.pothosOptions as { authScopes?: unknown }).authScopes;
    const fieldScopes = (fieldConfig.pothosOptions as { authScopes?: unknown }).authScopes;
    const scopeMaps = [typeScopes, fieldScopes].filter(isScopeMap);
    if (scopeMaps.length === 0) return resolver;

    const unauthorizedError = this.builder.options.scopeAuth?.unauthorizedError;
    return async (parent, args, context, info) => {
      const cache = RequestCache.fromContext(context, this.builder);
      for (const map of scopeMaps) {
        const failure = (await cache.evaluateScopeMap(map as never, info)) as AuthFailure | null;
        if (!failure) continue;
        const message = `Not authorized to resolve ${info.parentType.name}.${info.fieldName}`;
        const error = unauthorizedError ? unauthorizedError(parent as never, context, info, { message, failure }) : message;
        throw typeof error === 'string' ? new Error(error) : error;
      }
      return resolver(parent, args, context, info);
    };
  }
}

SchemaBuilder.registerPlugin(pluginName, AuthorizeBeforeValidationPlugin);

export default pluginName;
