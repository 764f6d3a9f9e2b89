/**
 * The queue of provisioning jobs: one job per published object, which sends it to the target
 * system through its connector.
 */
export const PROVISIONING_QUEUE = 'provisioning';

/**
 * Connector attempts per job. With the queue's backoff (about 1, 2, 4, ... seconds) the last one
 * runs about two minutes after the first, later when the target system sends a longer Retry-After.
 */
export const PROVISIONING_JOB_ATTEMPTS = 8;
