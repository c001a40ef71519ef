import { EnvironmentName } from './environments';
import { DeploymentRequest } from './request';

/** What a record did. @public */
export type DeploymentAction =
  | 'deploy'
  | 'update'
  | 'restart'
  | 'rollback'
  | 'delete';

/**
 * Where a record is: `applying` → `rolling-out` → `succeeded`, or `failed`
 * (nothing or not everything applied, or the rollout broke), or
 * `rolled-back` (the new revision never became ready and the previous one was
 * restored).
 *
 * @public
 */
export type DeploymentStatus =
  | 'applying'
  | 'rolling-out'
  | 'succeeded'
  | 'failed'
  | 'rolled-back';

/** One entry of a deployment's history. @public */
export type DeploymentRecord = {
  id: string;
  entityRef: string;
  environment: EnvironmentName;
  namespace: string;
  name: string;
  /** Increases by one per record of this deployment. */
  revision: number;
  action: DeploymentAction;
  status: DeploymentStatus;
  /** The request; secret values never appear (secrets are references). */
  request: DeploymentRequest;
  image: string;
  digest?: string;
  requester: string;
  changeReference?: string;
  /** For a rollback: the revision restored. */
  rollbackToRevision?: number;
  error?: string;
  statusHistory: Array<{ status: DeploymentStatus; at: string }>;
  createdAt: string;
  finishedAt?: string;
};
