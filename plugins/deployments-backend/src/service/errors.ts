import { InputError } from '@backstage/errors';
import {
  DeploymentErrorCode,
  PolicyViolation,
  RequestValidationError,
} from '@internal/backstage-plugin-deployments-common';

/**
 * A request that does not match the schema. `errors` (field and message)
 * is part of the 400 response body.
 */
export class RequestInvalidError extends InputError {
  readonly errors: RequestValidationError[];

  constructor(errors: RequestValidationError[]) {
    super(
      `Invalid deployment request: ${errors
        .map(e => `${e.field}: ${e.message}`)
        .join('; ')}`,
    );
    this.errors = errors;
    this.code = 'request-invalid';
  }

  readonly code: DeploymentErrorCode;
}

/**
 * A request that error-level policies block. `violations` (policy, field,
 * message, hint, docs anchor) is part of the 400 response body.
 */
export class PolicyViolationsError extends InputError {
  readonly violations: PolicyViolation[];

  constructor(violations: PolicyViolation[]) {
    const blocking = violations.filter(v => v.severity === 'error');
    super(
      `Deployment blocked by ${blocking.length} policy violation${
        blocking.length === 1 ? '' : 's'
      }: ${blocking
        .map(v => `[${v.policyId}] ${v.path}: ${v.message}`)
        .join('; ')}`,
    );
    this.violations = violations;
    this.code = 'policy-blocked';
  }

  readonly code: DeploymentErrorCode;
}
