/**
 * Manage levels: how far an account definition manages an account. "Unmanaged" and "Full managed"
 * are built in; admins create more.
 */
import { z } from 'zod';
import { builder } from './builder.ts';
import { changeContext } from './change-context.ts';
import { UserError, toPayload } from './errors.ts';
import { notFound } from './global-ids.ts';
import { integerNodeId } from './node-ids.ts';
import { createManageLevel, listManageLevels, loadManageLevels, type ManageLevelRow } from '../domain/manage-levels.ts';

export const ManageLevel = builder.loadableNodeRef<ManageLevelRow, number, number>('ManageLevel', {
  id: integerNodeId,
  load: async (ids, context) => {
    const rows = await loadManageLevels(context.db, ids);
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? notFound('ManageLevel', id));
  },
});

builder.objectType(ManageLevel, {
  description: 'How far an account definition manages an account, e.g. "Unmanaged" or "Full managed".',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Unique name.' }),
    description: t.exposeString('description', { nullable: true, description: 'What the level means for the account.' }),
    inheritsGroups: t.exposeBoolean('inheritsGroups', {
      description: 'True when accounts at this level get the distribution groups their account definition passes on, as indirect memberships.',
    }),
    isBuiltIn: t.exposeBoolean('isBuiltIn', { description: 'True for "Unmanaged" and "Full managed", which every installation has.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the level was created.' }),
  }),
});

builder.queryField('manageLevels', (t) =>
  t.field({
    type: [ManageLevel],
    description: 'Every manage level, built-in ones first, then by name.',
    authScopes: { viewer: true },
    resolve: (_root, _args, context) => listManageLevels(context.db),
  }),
);

builder.mutationField('createManageLevel', (t) =>
  t.field({
    description: 'Creates a manage level that account definitions can then allow.',
    type: builder.simpleObject('CreateManageLevelPayload', {
      description: 'Result of `createManageLevel`.',
      fields: (f) => ({
        manageLevel: f.field({ type: ManageLevel, nullable: true, description: 'The new manage level, unless `errors` is non-empty.' }),
        errors: f.field({ type: [UserError], description: 'Why it was not created; empty on success.' }),
      }),
    }),
    authScopes: { globalAdmin: true },
    args: {
      input: t.arg({
        required: true,
        type: builder.inputType('CreateManageLevelInput', {
          description: 'A manage level to create.',
          fields: (f) => ({
            name: f.string({ description: 'Unique name, 1 to 100 characters.', validate: z.string().max(100) }),
            description: f.string({ required: false, description: 'What the level means for the account.', validate: z.string().max(2000) }),
            inheritsGroups: f.boolean({ description: 'Whether accounts at this level get the groups their account definition passes on.' }),
          }),
        }),
      }),
    },
    resolve: (_root, { input }, context) =>
      toPayload(async () => ({ manageLevel: await createManageLevel(context.db, input, changeContext(context, 'manage-levels')) })),
  }),
);
