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

/** Longest path, message and hint of a violation (they quote the request). */
const MAX_PATH = 200;
const MAX_TEXT = 500;

/** Text cut to `max` characters (an ellipsis last when cut), control characters as spaces. */
function clipped(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const printable = String(text).replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
  return printable.length > max ? `${printable.slice(0, max - 1)}…` : printable;
}

/**
 * Runs every enabled policy. `environment` is the request's environment as
 * configured (production or not, the one before it); without it, the
 * default OTAP order is assumed. Never throws: a policy that fails is reported
 * as an error-level violation of that policy, so a broken custom policy
 * blocks rather than silently passing. Each violation's path is cut to 200
 * characters, its message and hint to 500.
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
        // Findings quote the request (names, values, images): cut to a
        // fixed size, so no answer, record or log line grows with it.
        violations.push({
          ...base,
          ...finding,
          path: clipped(finding.path, MAX_PATH),
          message: clipped(finding.message, MAX_TEXT),
          hint: clipped(finding.hint, MAX_TEXT),
        });
      }
    } catch (error) {
      violations.push({
        ...base,
        severity: 'error',
        path: '(policy)',
        message: clipped(
          `policy ${policy.id} failed: ${(error as Error).message}`,
          MAX_TEXT,
        ),
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
