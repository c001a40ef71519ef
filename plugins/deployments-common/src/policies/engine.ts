import {
  OTAP_ENVIRONMENT_NAMES,
  previousEnvironment,
} from '../model/environments';
import {
  Policy,
  PolicyEnvironment,
  PolicyInput,
  PolicySettings,
  PolicyViolation,
} from './types';

/** Settings for one environment, keyed by policy id. @public */
export type PolicySettingsByPolicy = Record<string, PolicySettings | undefined>;

/** The anchor of a policy's section in the policies reference. @public */
export function policyDocsAnchor(policyId: string): string {
  return `policies/#${policyId}`;
}

/**
 * The environment of the default OTAP order with that name: `production` is
 * the production environment, each one's previous is the one before it.
 *
 * @public
 */
export function otapPolicyEnvironment(name: string): PolicyEnvironment {
  return {
    name,
    production: name === 'production',
    previous: previousEnvironment(name, OTAP_ENVIRONMENT_NAMES),
  };
}

/**
 * Runs every enabled policy. `environment` is the request's environment as
 * configured (production or not, the one before it); without it, the
 * default OTAP order is assumed. Never throws: a policy that fails is reported
 * as an error-level violation of that policy, so a broken custom policy
 * blocks rather than silently passing.
 *
 * @public
 */
export function evaluatePolicies(
  input: PolicyInput,
  policies: readonly Policy[],
  settings: PolicySettingsByPolicy = {},
  environment: PolicyEnvironment = otapPolicyEnvironment(
    input.request.environment,
  ),
): PolicyViolation[] {
  const violations: PolicyViolation[] = [];
  for (const policy of policies) {
    const policySettings = settings[policy.id] ?? {};
    if (policySettings.enabled === false) {
      continue;
    }
    const { enabled: _e, severity, ...overrides } = policySettings;
    const parameters = { ...policy.defaults?.(environment), ...overrides };
    const base = {
      policyId: policy.id,
      severity: severity ?? policy.defaultSeverity,
      docsAnchor: policyDocsAnchor(policy.id),
    };
    try {
      for (const finding of policy.evaluate(input, parameters)) {
        violations.push({ ...base, ...finding });
      }
    } catch (error) {
      violations.push({
        ...base,
        severity: 'error',
        path: '(policy)',
        message: `policy ${policy.id} failed: ${(error as Error).message}`,
        hint: 'report this to the platform team; the deployment is blocked until the policy works',
      });
    }
  }
  return violations;
}

/** Whether any violation blocks the deployment. @public */
export function hasBlockingViolations(violations: PolicyViolation[]): boolean {
  return violations.some(v => v.severity === 'error');
}
