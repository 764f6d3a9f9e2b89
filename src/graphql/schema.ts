/** Imports every type family and builds the schema. Nothing else belongs here. */
import { lexicographicSortSchema } from 'graphql';
import { builder } from './builder.ts';
import './errors.ts';
import './sync-tables.ts';
import './target-system-types.ts';
import './synchronization-runs.ts';
import './tenants.ts';

export function buildSchema() {
  return lexicographicSortSchema(builder.toSchema());
}
