/**
 * The log a synchronization run wrote, as `SynchronizationRun.logEntries`: every entry with the
 * object it is on, so a client can list what one run changed.
 */
import { builder } from './builder.ts';
import { LogMethod } from './log-entries.ts';
import { objectLoader } from './object-loaders.ts';
import { parsePageArgs, toConnection } from './pagination.ts';
import { SynchronizationRun } from './synchronization-runs.ts';
import { TargetSystemObject } from './target-system-objects.ts';
import { countLogEntriesOfRun, listLogEntriesOfRun, type RunLogEntryRow } from '../domain/log-reads.ts';
import type { LogMethod as LogMethodName } from '../domain/log.ts';

const SynchronizationLogEntry = builder.objectRef<RunLogEntryRow>('SynchronizationLogEntry').implement({
  description: "An entry a synchronization run wrote, with the object it is on. A change of a group's member list is an entry on the group naming the member.",
  fields: (t) => ({
    at: t.field({ type: 'DateTime', description: 'When the run wrote it (the same time for every entry of a run).', resolve: (row) => row.createdAt }),
    method: t.field({ type: LogMethod, description: 'What happened.', resolve: (row) => row.method as LogMethodName }),
    message: t.exposeString('message', { description: 'What happened, in English, e.g. "Member added: Megan Bowen."' }),
    memberKey: t.exposeString('memberKey', {
      nullable: true,
      description: "Guid of the member a group's entry is about (its member list changed); null for other entries.",
    }),
    object: t.field({
      type: TargetSystemObject,
      nullable: true,
      description: 'The object the entry is on; null when your token may not see its tenant.',
      resolve: (row, _args, context) => objectLoader(context).load(row.objectId),
    }),
  }),
});

const SynchronizationLogEntryConnection = builder.connectionObject(
  { type: SynchronizationLogEntry, name: 'SynchronizationLogEntryConnection', description: 'A page of the log entries a run wrote.' },
  { name: 'SynchronizationLogEntryEdge', description: 'A log entry and its cursor.' },
);

builder.objectField(SynchronizationRun, 'logEntries', (t) =>
  t.connection({
    type: SynchronizationLogEntry,
    description: 'The log entries the run wrote, in the order written. Empty until the run has succeeded, and for a failed run.',
    resolve: async (row, args, context) => {
      const page = parsePageArgs(args, 1);
      const rows = await listLogEntriesOfRun(context.db, row.id, page);
      return toConnection(rows, page, (entry) => [entry.id], () => countLogEntriesOfRun(context.db, row.id));
    },
  }, SynchronizationLogEntryConnection),
);
