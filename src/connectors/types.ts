/**
 * The contract between the rework engine and a target system. A connector writes one object at a
 * time; the provisioning job owns retries, so a connector reports whether a failure is transient
 * instead of retrying on its own.
 */

/** One object to create in the target system, as the database stores it. */
export interface ProvisioningRequest {
  /** Synchronization table name, e.g. `MailContact` or `DistributionGroupMember`. */
  tableName: string;
  /** Stable key of the object in the target system (the Exchange `Guid`). */
  objectKey: string;
  /** Properties as synchronized, with the cmdlets' own property names. */
  properties: Record<string, unknown>;
  /** For an assignment row: the container (group) and the member, both as synchronized. */
  membership?: {
    container: { key: string; properties: Record<string, unknown> };
    member: { key: string; properties: Record<string, unknown> };
  };
}

/** What the target system reported after a successful write. */
export interface ProvisioningResult {
  /** Human-readable summary for the object's log, e.g. `New-MailContact succeeded`. */
  message: string;
}

/**
 * A failed write. `transient` failures (throttling, 5xx, network errors) are retried by the
 * provisioning job with backoff; permanent ones (400, a rejected cmdlet) are recorded as FAILED.
 */
export class ConnectorError extends Error {
  constructor(
    message: string,
    readonly transient: boolean,
    /** Delay the target system asked for (HTTP Retry-After), in milliseconds. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ConnectorError';
  }
}

export interface TargetSystemConnector {
  /** False when the connector settings do not allow writing; PUBLISH is then a constraint. */
  readonly writeAccess: boolean;
  /** Creates the object (or adds the membership) in the target system. Throws ConnectorError. */
  provision(request: ProvisioningRequest): Promise<ProvisioningResult>;
}
