import { EnvironmentName } from './environments';
import { DeploymentRecord } from './records';
import { RequestValidationError } from './request';
import { PolicyViolation } from '../policies/types';
import { CostEstimate } from '../cost/estimateCost';

/** How one rendered object compares with what the cluster runs. @public */
export type ObjectDiff = {
  kind: string;
  name: string;
  change: 'create' | 'update' | 'unchanged';
  /**
   * Changed fields, as paths (e.g. `spec.template.spec.containers[0].image`):
   * the first 20.
   */
  fields: string[];
  /** How many more fields changed than `fields` lists. */
  moreFields?: number;
};

/** The answer of POST /validate. @public */
export type ValidationResult = {
  valid: boolean;
  /** Schema errors: the request could not be rendered. The first 20. */
  errors: RequestValidationError[];
  /** How many more schema errors there are than `errors` lists. */
  moreErrors?: number;
  /** Policy findings, blocking ones first: the first 20. */
  violations: PolicyViolation[];
  /** How many more findings there are than `violations` lists. */
  moreViolations?: number;
  /** Server-side dry run of the rendered objects, when it ran. */
  dryRun?: { ok: boolean; error?: string };
  diff: ObjectDiff[];
  /**
   * The monthly estimate at the environment's prices
   * (`deployments.environments.<env>.cost`); absent without prices or when
   * the request has schema errors.
   */
  cost?: CostEstimate;
};

/** What the cluster runs for a deployment. @public */
export type LiveDeploymentState = {
  exists: boolean;
  image?: string;
  replicas?: number;
  readyReplicas?: number;
  updatedReplicas?: number;
  availableReplicas?: number;
  revision?: string;
  conditions?: Array<{
    type: string;
    status: string;
    reason?: string;
    message?: string;
  }>;
  /** Why the live state could not be read (cluster unreachable, …). */
  error?: string;
};

/** A deployment: its latest record and the live state. @public */
export type DeploymentDetails = {
  record: DeploymentRecord;
  live: LiveDeploymentState;
  /** What the last drift check found changed in the cluster, if anything. */
  drift?: DeploymentDrift;
};

/**
 * One field of a live object that differs from what the portal applied.
 * Values of plain configuration (ConfigMap data, env values) are never
 * included, only where they changed.
 *
 * @public
 */
export type DriftedField = {
  /** `Kind/name` of the object. */
  object: string;
  /** Dotted path of the field (`spec.replicas`, `spec.template.spec.containers[app].image`); absent when the object is gone. */
  path?: string;
  /** `changed`: another value; `removed`: the field (or, without path, the object) is gone. */
  change: 'changed' | 'removed';
  /** What the portal applied (absent for configuration values). */
  applied?: string;
  /** What the cluster has now (absent for configuration values). */
  live?: string;
  /** The field manager that owns the field now (`kubectl-edit`, a controller, …), when the cluster says. */
  manager?: string;
  /** When that manager last wrote the object, when the cluster says. */
  changedAt?: string;
};

/**
 * A deployment whose live objects differ from what its running revision
 * applied, as the scheduled drift check found it.
 *
 * @public
 */
export type DeploymentDrift = {
  /** The running revision whose objects were compared. */
  revision: number;
  /** When the check first saw this drift. */
  detectedAt: string;
  /** When the check last confirmed it. */
  checkedAt: string;
  /** At most 20 fields; `moreFields` counts the rest. */
  fields: DriftedField[];
  moreFields: number;
};

/** Identifies a deployment. @public */
export type DeploymentKey = {
  environment: EnvironmentName;
  namespace: string;
  name: string;
};

/** The fields PUT may change; everything else stays as last deployed. @public */
export type DeploymentUpdate = {
  image?: { repository?: string; tag?: string; digest?: string };
  replicas?: number;
  resources?: unknown;
  env?: unknown;
  autoscaling?: unknown;
  changeReference?: string;
};
