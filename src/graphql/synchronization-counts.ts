/**
 * What a synchronization run did, in total and per synchronization table.
 */
import { builder } from './builder.ts';

export const SynchronizationCounts = builder.objectRef<Record<string, number>>('SynchronizationCounts').implement({
  description: 'What a synchronization run did, per kind of change. Counts only grow while the run is in progress.',
  fields: (t) => {
    const countField = (key: string, description: string) => t.int({ description, resolve: (counts) => counts[key] ?? 0 });
    return {
      read: countField('read', 'Rows read from the snapshot files so far.'),
      inserted: countField('inserted', 'Objects new in the snapshot, inserted; memberships included.'),
      updated: countField('updated', 'Objects whose properties changed, updated.'),
      unchanged: countField('unchanged', 'Objects found unchanged.'),
      markedOutstanding: countField('markedOutstanding', 'Objects missing from the snapshot, marked outstanding; memberships included.'),
      deleted: countField('deleted', 'Objects missing from the snapshot whose table deletes instead of marking.'),
      skippedOutstanding: countField('skippedOutstanding', 'Objects in the snapshot left alone because they are outstanding (frozen until reworked).'),
      skippedPending: countField('skippedPending', 'Objects missing from the snapshot but not marked, because their provisioning is still pending.'),
      unresolvedReferences: countField('unresolvedReferences', 'Member rows whose group or member was not found; kept as unresolved references.'),
      resolvedReferences: countField('resolvedReferences', 'Unresolved references of earlier runs that this run resolved into memberships.'),
      identitiesCreated: countField('identitiesCreated', 'Identities created for new mail users and mail contacts.'),
      inheritedMemberships: countField('inheritedMemberships', "Indirect memberships added to new accounts by their account definition's groups."),
    };
  },
});

export const SynchronizationTableCounts = builder
  .objectRef<{ tableName: string; counts: Record<string, number> }>('SynchronizationTableCounts')
  .implement({
    description: 'What a synchronization run did in one synchronization table.',
    fields: (t) => ({
      tableName: t.exposeString('tableName', { description: 'Name of the synchronization table, e.g. `MailUser`.' }),
      counts: t.field({ type: SynchronizationCounts, description: 'The counts of this table.', resolve: (entry) => entry.counts }),
    }),
  });
