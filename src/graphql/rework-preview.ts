/**
 * The ReworkPreview type and the `reworkPreview` query: what a rework method would do to a
 * selection, so a client can ask the user to confirm the objects that go along with it. The
 * rework mutation's dry run returns the same type; build it with {@link loadReworkPreview}.
 */
import { GraphQLError } from 'graphql';
import { builder } from './builder.ts';
import type { Context } from './context.ts';
import { decodeId, OBJECT_TYPE_NAMES, parseId } from './global-ids.ts';
import { ConstraintReason, MethodConstraint, ReworkMethod } from './method-constraints.ts';
import { objectLoader, TYPE_NAME_BY_KIND } from './object-loaders.ts';
import { withQueryErrors } from './query-errors.ts';
import { SyncTable } from './sync-tables.ts';
import { TargetSystemObject } from './target-system-objects.ts';
import type { MethodConstraint as MethodConstraintShape, ReworkMethod as ReworkMethodName } from '../domain/constraints.ts';
import type { Dependency } from '../domain/dependencies.ts';
import type { ObjectRow } from '../domain/object-reads.ts';
import { previewRework, type BlockedObject, type ReworkPreview as ReworkPreviewShape, type TableCount } from '../domain/rework-preview.ts';

const DependencyReason = builder.enumType('DependencyReason', {
  description: 'Why an object outside the selection goes along with it.',
  values: {
    CONTAINER_OF_PUBLISHED_MEMBERSHIP: { description: 'It is the outstanding group of a membership being published; it is published first.' },
    MEMBER_OF_PUBLISHED_MEMBERSHIP: { description: 'It is the outstanding member of a membership being published; it is published first.' },
    ASSIGNMENT_OF_DELETED_OBJECT: { description: 'It is a membership of an object being deleted; it is deleted with it.' },
  } as const,
});

const ReworkDependency = builder.objectRef<Dependency>('ReworkDependency').implement({
  description: 'An object outside the selection that the rework also processes.',
  fields: (t) => ({
    object: t.field({ type: TargetSystemObject, description: 'The object that goes along.', resolve: (row, _args, context) => loadVisible(context, row.objectId) }),
    reason: t.field({ type: DependencyReason, description: 'Why it goes along.', resolve: (row) => row.reason }),
    requiredBy: t.field({
      type: [TargetSystemObject],
      description: 'The selected objects that need it.',
      resolve: (row, _args, context) => row.requiredBy.map((id) => loadVisible(context, id)),
    }),
  }),
});

const ReworkTableCount = builder.objectRef<TableCount>('ReworkTableCount').implement({
  description: 'How many objects of one table the rework processes.',
  fields: (t) => ({
    table: t.field({ type: SyncTable, description: 'The synchronization table.', resolve: (row) => row.syncTableId }),
    selected: t.exposeInt('selected', { description: 'Selected objects of this table.' }),
    dependencies: t.exposeInt('dependencies', { description: 'Objects of this table that go along with the selection.' }),
  }),
});

const ObjectConstraint = builder.objectRef<{ objectId: number; constraint: MethodConstraintShape }>('ObjectConstraint').implement({
  description: 'The constraint of the previewed method for one object, judged together with the whole selection.',
  fields: (t) => ({
    object: t.field({ type: TargetSystemObject, description: 'The object.', resolve: (row, _args, context) => loadVisible(context, row.objectId) }),
    constraint: t.field({ type: MethodConstraint, description: 'Whether the method can run for it, and why not.', resolve: (row) => row.constraint }),
  }),
});

const BlockedObjectType = builder.objectRef<BlockedObject>('BlockedObject').implement({
  description: 'An object for which the method is disabled; a rework of the selection is rejected while any remain.',
  fields: (t) => ({
    object: t.field({ type: TargetSystemObject, description: 'The object.', resolve: (row, _args, context) => loadVisible(context, row.objectId) }),
    reasons: t.field({ type: [ConstraintReason], description: 'Every reason why the method is disabled for it.', resolve: (row) => row.reasons }),
  }),
});

export const ReworkPreview = builder.objectRef<ReworkPreviewShape>('ReworkPreview').implement({
  description: 'What a rework method would do to a selection, computed without changing anything.',
  fields: (t) => ({
    method: t.field({ type: ReworkMethod, description: 'The previewed method.', resolve: (preview) => preview.method }),
    allowed: t.boolean({ description: 'True when no object is blocked, so the rework would be accepted.', resolve: (preview) => preview.blocked.length === 0 }),
    total: t.int({
      description: 'Objects the rework processes: the selection and its dependencies.',
      resolve: (preview) => preview.objectIds.length + new Set(preview.dependencies.map((dependency) => dependency.objectId)).size,
    }),
    tableCounts: t.field({ type: [ReworkTableCount], description: 'Processed objects per table.', resolve: (preview) => preview.tableCounts }),
    dependencies: t.field({
      type: [ReworkDependency],
      description: 'Objects outside the selection that go along with it; ask the user to confirm them.',
      resolve: (preview) => preview.dependencies,
    }),
    constraints: t.field({
      type: [ObjectConstraint],
      description: 'The constraint of the method for every object it reworks, judged together (a membership may be published with its outstanding group).',
      resolve: (preview) => [...preview.constraints].map(([objectId, constraint]) => ({ objectId, constraint })),
    }),
    blocked: t.field({ type: [BlockedObjectType], description: 'Objects for which the method is disabled, with every reason.', resolve: (preview) => preview.blocked }),
  }),
});

/** Loads an object the preview names; it can vanish only if it was deleted since the preview was computed. */
async function loadVisible(context: Context, id: number): Promise<ObjectRow> {
  const row = await objectLoader(context).load(id);
  if (!row) throw new GraphQLError(`Object ${id} was deleted while the preview was computed. Ask for the preview again.`, { extensions: { code: 'NOT_FOUND' } });
  return row;
}

/**
 * Parses the selected global IDs, checks that each object exists and is visible to the actor, and
 * computes the preview. `argument` names the ID list in errors, e.g. `input.objectIds`.
 */
export async function loadReworkPreview(
  context: Context,
  method: ReworkMethodName,
  objectIds: readonly string[],
  argument = 'objectIds',
): Promise<ReworkPreviewShape> {
  const maxCount = context.services.config.MAX_SELECTION_SIZE;
  if (objectIds.length > maxCount) {
    throw new GraphQLError(`\`${argument}\` has ${objectIds.length} IDs; at most ${maxCount} are allowed (MAX_SELECTION_SIZE). Split the selection.`, {
      extensions: { code: 'BAD_USER_INPUT', argument },
    });
  }
  const decoded = objectIds.map((value, index) => {
    const path = `${argument}[${index}]`;
    const { typename } = decodeId(value, path);
    return { value, path, typename, id: parseId(value, OBJECT_TYPE_NAMES, path) };
  });
  const rows = await objectLoader(context).loadMany(decoded.map((entry) => entry.id));
  decoded.forEach((entry, index) => {
    const row = rows[index];
    if (!row || row instanceof Error || TYPE_NAME_BY_KIND[row.objectKind] !== entry.typename) {
      throw new GraphQLError(`No ${entry.typename} has the ID ${JSON.stringify(entry.value)} (\`${entry.path}\`); it may have been deleted. Reload the list and select again.`, {
        extensions: { code: 'NOT_FOUND', argument: entry.path },
      });
    }
  });
  return withQueryErrors(() => previewRework(context.db, method, decoded.map((entry) => entry.id)));
}

builder.queryField('reworkPreview', (t) =>
  t.field({
    description: 'Previews a rework without changing anything: the objects that go along with the selection, and the ones that block it.',
    type: ReworkPreview,
    args: {
      method: t.arg({ type: ReworkMethod, required: true, description: 'The rework method.' }),
      objectIds: t.arg.idList({ required: true, description: 'The selected objects (IDs of mail users, mail contacts, groups, memberships or custom objects).' }),
    },
    resolve: (_root, args, context) => loadReworkPreview(context, args.method, args.objectIds.map(String)),
  }),
);
