/**
 * The synchronization log of an object: `logEntries` on every TargetSystemObject, and the LogMethod
 * enum that the log of a synchronization run shares. A membership's log is its container's
 * entries that name its member.
 */
import { builder } from './builder.ts';
import { memberByKeyLoader, objectLoader } from './object-loaders.ts';
import { parsePageArgs, toConnection } from './pagination.ts';
import { SynchronizationRun } from './synchronization-runs.ts';
import { TargetSystemObject } from './target-system-objects.ts';
import type { logEntries } from '../db/schema.ts';
import { countLogEntries, listLogEntries } from '../domain/log-information.ts';
import type { LogMethod as LogMethodName } from '../domain/log.ts';

export const LogMethod = builder.enumType('LogMethod', {
  description: 'What happened to an object, as the synchronization log records it.',
  values: {
    INSERT: { description: 'A synchronization run found the object new and inserted it.' },
    UPDATE: { description: 'A synchronization run found the object (or its member list) changed and updated it.' },
    MARK_OUTSTANDING: { description: 'A synchronization run found the object missing and marked it outstanding.' },
    DELETE: { description: 'The object was deleted (rework, or a table set to delete missing objects).' },
    PUBLISH: { description: 'The object was published to the target system again.' },
    RESET: { description: 'The outstanding mark was removed.' },
  } satisfies Record<LogMethodName, { description: string }>,
});

/** A row of `log_entries`; every reader of the log returns these. */
export type LogEntryShape = typeof logEntries.$inferSelect;

export const LogEntry = builder.objectRef<LogEntryShape>('LogEntry').implement({
  description: 'One entry of the synchronization log.',
  fields: (t) => ({
    at: t.field({ type: 'DateTime', description: 'When it happened.', resolve: (row) => row.createdAt }),
    method: t.field({ type: LogMethod, description: 'What happened.', resolve: (row) => row.method as LogMethodName }),
    message: t.exposeString('message', { description: 'What happened, in English, e.g. "Member added: Ann Lee."' }),
    object: t.field({
      type: TargetSystemObject,
      nullable: true,
      description: "The object the entry is on: for a member-list change, the container. Null when it is hidden from you.",
      resolve: (row, _args, context) => objectLoader(context).load(row.objectId),
    }),
    memberKey: t.exposeString('memberKey', {
      nullable: true,
      description: "Key of the member a container's entry is about (its member list changed); null for other entries.",
    }),
    member: t.field({
      type: TargetSystemObject,
      nullable: true,
      description: 'The member named by `memberKey`, while it exists in the database.',
      resolve: async (row, _args, context) => {
        if (row.memberKey === null) return null;
        const container = await objectLoader(context).load(row.objectId);
        if (!container) return null;
        return memberByKeyLoader(context).load({ targetSystemId: container.targetSystemId, key: row.memberKey });
      },
    }),
    synchronizationRun: t.field({
      type: SynchronizationRun,
      nullable: true,
      description: 'The run that wrote the entry; null for entries of a rework.',
      resolve: (row) => row.synchronizationRunId,
    }),
  }),
});

export const LogEntryConnection = builder.connectionObject(
  { type: LogEntry, name: 'LogEntryConnection', description: 'A page of synchronization log entries.' },
  { name: 'LogEntryEdge', description: 'A log entry and its cursor.' },
);

builder.interfaceField(TargetSystemObject, 'logEntries', (t) =>
  t.connection(
    {
      description: "The object's synchronization log, newest first. For a membership: its container's entries that name its member.",
      type: LogEntry,
      resolve: async (row, args, context) => {
        const page = parsePageArgs(args, 2);
        const rows = await listLogEntries(context.db, row, page);
        return toConnection(rows, page, (entry) => [entry.createdAtText, entry.id], () => countLogEntries(context.db, row));
      },
    },
    LogEntryConnection,
  ),
);
