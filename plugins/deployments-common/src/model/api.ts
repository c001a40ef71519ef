import { EnvironmentName } from './environments';
import { DeploymentRecord } from './records';
import { RequestValidationError } from './request';
import { PolicyViolation } from '../policies/types';

/** How one rendered object compares with what the cluster runs. @public */
export type ObjectDiff = {
  kind: string;
  name: string;
  change: 'create' | 'update' | 'unchanged';
  /** Changed fields, as paths (e.g. `spec.template.spec.containers[0].image`). */
  fields: string[];
};

/** The answer of POST /validate. @public */
export type ValidationResult = {
  valid: boolean;
  /** Schema errors: the request could not be rendered. */
  errors: RequestValidationError[];
  violations: PolicyViolation[];
  /** Server-side dry run of the rendered objects, when it ran. */
  dryRun?: { ok: boolean; error?: string };
  diff: ObjectDiff[];
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
