import { EnvironmentName } from './environments';
import { DeploymentRequest } from './request';
import { PolicyViolation } from '../policies/types';

/** What a record did. @public */
export type DeploymentAction =
  | 'deploy'
  | 'update'
  | 'restart'
  | 'rollback'
  | 'delete';

/**
 * Where a change is. Every record of a deployment's history is a change that
 * the engine runs, one at a time per deployment, in revision order:
 *
 * `queued` (waits behind an earlier change of the same deployment, or for a
 * worker) → `planning` (what runs now is read, the request merged, validated
 * and rendered) → `applying` (server-side dry run of every object, then the
 * apply, Deployment last) → `verifying` (the rollout is followed until it is
 * ready) → `succeeded`.
 *
 * It ends `failed` when nothing (or nothing that stayed) was applied or the
 * rollout broke without a version to return to, `rolled-back` when the
 * previous revision was restored (the new one did not become ready, or one of
 * its objects was refused half-way: `rolling-back` while that happens), or
 * `cancelled` when it was withdrawn while still queued.
 *
 * @public
 */
export type DeploymentStatus =
  | 'queued'
  | 'planning'
  | 'applying'
  | 'verifying'
  | 'rolling-back'
  | 'succeeded'
  | 'failed'
  | 'rolled-back'
  | 'cancelled';

/** The statuses a change ends in. @public */
export const FINAL_STATUSES: readonly DeploymentStatus[] = [
  'succeeded',
  'failed',
  'rolled-back',
  'cancelled',
];

/** The statuses of a change a worker is running (it holds the deployment). @public */
export const ACTIVE_STATUSES: readonly DeploymentStatus[] = [
  'planning',
  'applying',
  'verifying',
  'rolling-back',
];

/** Whether a change has ended. @public */
export function isFinalStatus(status: DeploymentStatus): boolean {
  return FINAL_STATUSES.includes(status);
}

/** One step of a change: when it got there and why. @public */
export type StatusTransition = {
  status: DeploymentStatus;
  at: string;
  /** Why, when there is more to say than the status (e.g. a failure's cause). */
  reason?: string;
};

/** Time to detect and time to restore of an automatic rollback. @public */
export type RecoveryTimes = {
  detectedAt: string;
  /** From the end of the apply to the detection. */
  detectSeconds: number;
  /** Absent when the previous revision did not become ready. */
  restoredAt?: string;
  /** From the detection to the previous revision being ready. */
  restoreSeconds?: number;
};

/** One entry of a deployment's history: a change and how it went. @public */
export type DeploymentRecord = {
  /** The change's id: `GET /changes/{id}` follows it. */
  id: string;
  entityRef: string;
  environment: EnvironmentName;
  namespace: string;
  name: string;
  /** Increases by one per change of this deployment, in the order they run. */
  revision: number;
  action: DeploymentAction;
  status: DeploymentStatus;
  /**
   * The request; secret values never appear (secrets are references). For a
   * queued update: the request as it would merge over what runs now (the
   * merge is repeated when the change is planned).
   */
  request: DeploymentRequest;
  image: string;
  digest?: string;
  requester: string;
  changeReference?: string;
  /** For a rollback: the revision restored. */
  rollbackToRevision?: number;
  /** The approval request this change carries out, if it needed one. */
  approvalId?: string;
  /** The scaffolder task that asked for it, if one did. */
  taskId?: string;
  /**
   * Warning-level policy findings of the request (they do not block it),
   * e.g. a config alias that has a canonical name. At most 20.
   */
  warnings?: PolicyViolation[];
  error?: string;
  /**
   * For a change the engine rolled back automatically: when the failure was
   * detected (seconds after the apply) and when the previous revision was
   * ready again (seconds after the detection).
   */
  recovery?: RecoveryTimes;
  statusHistory: StatusTransition[];
  createdAt: string;
  /** When a worker first picked it up. */
  startedAt?: string;
  finishedAt?: string;
};

/**
 * A change as `GET /changes/{id}` and the mutating routes answer it: the
 * record, where it stands in its deployment's queue and where to follow it.
 *
 * @public
 */
export type DeploymentChange = DeploymentRecord & {
  /** While queued: how many changes of the same deployment run or wait before it. */
  queuePosition?: number;
  /** How many times a worker picked it up (more than 1: it was resumed). */
  attempts: number;
  links: {
    /** `GET` this (relative to the plugin's base URL) to follow the change. */
    self: string;
  };
};

/** Where a change is followed, relative to the deployments plugin's base URL. @public */
export function changeLink(id: string): string {
  return `/changes/${encodeURIComponent(id)}`;
}
