import { builder } from './builder.ts';

export const OperationStatus = builder.enumType('OperationStatus', {
  description: 'Lifecycle of long-running work: synchronization runs and bulk operations.',
  values: {
    QUEUED: { description: 'Accepted and waiting for a worker.' },
    RUNNING: { description: 'In progress.' },
    SUCCEEDED: { description: 'Finished; every object was processed.' },
    PARTIALLY_SUCCEEDED: { description: 'Finished with `continueOnError`: some objects failed, the others were saved.' },
    FAILED: { description: 'Stopped at an error. A BULK operation or a run rolled back; a SEQUENTIAL operation kept what it saved.' },
    INTERRUPTED: { description: 'Cut off by a restart or crash; rolled back, nothing saved. Submit the selection again.' },
    CANCELED: { description: 'Stopped on request. A BULK operation rolled back; a SEQUENTIAL one kept what it saved.' },
  } as const,
});
