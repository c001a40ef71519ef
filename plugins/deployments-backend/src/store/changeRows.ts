import {
  DeploymentRecord,
  DeploymentUpdate,
  RenderedManifest,
  StatusTransition,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { NewRecord, RecordRow, toRecord } from './recordRows';

/** A change as the engine sees it: the record plus what only the engine needs. */
export type StoredChange = DeploymentRecord & {
  input?: DeploymentUpdate;
  baseRevision?: number;
  timeoutSeconds?: number;
  attempts: number;
  leaseOwner?: string;
  appliedAt?: string;
};

/** The fields a step of a change may set besides its status. */
export type ChangeFields = {
  request?: NewRecord['request'];
  manifests?: RenderedManifest[];
  image?: string;
  digest?: string | null;
  baseRevision?: number | null;
  appliedAt?: Date;
  /** When the engine decided the new revision failed (time to detect). */
  failureDetectedAt?: Date;
  /** When an automatic rollback had the previous revision ready (time to restore). */
  restoredAt?: Date;
  error?: string;
};

/** A worker's hold on a change ran out and another may have taken it. */
export class LeaseLostError extends Error {
  constructor(id: string, worker: string) {
    super(`the lease of change ${id} held by ${worker} was lost`);
    this.name = 'LeaseLostError';
  }
}

export function toChange(row: RecordRow): StoredChange {
  const change: StoredChange = {
    ...toRecord(row),
    attempts: Number(row.attempts ?? 0),
  };
  if (row.input) change.input = JSON.parse(row.input);
  if (row.base_revision !== null) change.baseRevision = row.base_revision;
  if (row.timeout_seconds !== null) change.timeoutSeconds = row.timeout_seconds;
  if (row.lease_owner) change.leaseOwner = row.lease_owner;
  if (row.applied_at !== null && row.applied_at !== undefined) {
    change.appliedAt = new Date(row.applied_at).toISOString();
  }
  return change;
}

export function appendTransition(
  historyJson: string,
  transition: StatusTransition,
): string {
  const history: StatusTransition[] = JSON.parse(historyJson);
  history.push(transition);
  return JSON.stringify(history);
}
