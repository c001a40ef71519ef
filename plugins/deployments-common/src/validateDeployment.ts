import {
  parseDeploymentRequest,
  DeploymentRequest,
  RequestValidationError,
} from './model/request';
import { RenderedManifest, renderManifests } from './render/renderManifests';
import { BUILT_IN_POLICIES } from './policies/builtin';
import { evaluatePolicies, PolicySettingsByPolicy } from './policies/engine';
import {
  ClusterFacts,
  Policy,
  PolicyEnvironment,
  PolicyViolation,
} from './policies/types';

/** @public */
export type DeploymentValidation =
  | { valid: false; errors: RequestValidationError[] }
  | {
      valid: boolean;
      request: DeploymentRequest;
      manifests: RenderedManifest[];
      violations: PolicyViolation[];
    };

/**
 * The whole check, as the deploy form and the backend run it: schema →
 * render → policies. `valid` is false on schema errors or any error-level
 * violation. Never throws.
 *
 * @public
 */
export function validateDeployment(
  input: unknown,
  options: {
    owner: string;
    cluster?: ClusterFacts;
    policies?: readonly Policy[];
    settings?: PolicySettingsByPolicy;
    /** The environment as configured; default: its place in OTAP. */
    environment?: PolicyEnvironment;
    ingressNamespace?: string;
  },
): DeploymentValidation {
  const parsed = parseDeploymentRequest(input);
  if (!parsed.success) {
    return { valid: false, errors: parsed.errors };
  }
  const manifests = renderManifests(parsed.request, {
    owner: options.owner,
    ingressNamespace: options.ingressNamespace,
  });
  const violations = evaluatePolicies(
    {
      request: parsed.request,
      manifests,
      context: { owner: options.owner, cluster: options.cluster ?? {} },
    },
    options.policies ?? BUILT_IN_POLICIES,
    options.settings,
    options.environment,
  );
  return {
    valid: !violations.some(v => v.severity === 'error'),
    request: parsed.request,
    manifests,
    violations,
  };
}
