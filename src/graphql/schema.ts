/** Imports every type family and builds the schema. Nothing else belongs here. */
import { lexicographicSortSchema } from 'graphql';
import { builder } from './builder.ts';
import { resolveIntegerIdsSynchronously } from './node-ids.ts';
import './errors.ts';
import './sync-tables.ts';
import './target-system-types.ts';
import './synchronization-runs.ts';
import './synchronization-log.ts';
import './synchronize.ts';
import './unresolved-references.ts';
import './tenants.ts';
import './tenant-mutations.ts';
import './target-systems.ts';
import './sync-table-settings.ts';
import './sync-table-mutations.ts';
import './manage-levels.ts';
import './account-definitions.ts';
import './account-definition-mutations.ts';
import './account-management.ts';
import './target-system-objects.ts';
import './object-types.ts';
import './log-entries.ts';
import './outstanding-objects.ts';
import './rework-preview.ts';
import './bulk-operations.ts';
import './bulk-operation-list.ts';
import './rework.ts';
import './provisioning.ts';
import './audit-events.ts';
import './accounts.ts';
import './identities.ts';

export function buildSchema() {
  return resolveIntegerIdsSynchronously(lexicographicSortSchema(builder.toSchema()));
}
