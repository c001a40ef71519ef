import { EnvironmentName } from '../model/environments';
import { DeploymentRequest } from '../model/request';
import { RenderedManifest } from '../render/renderManifests';

/** @public */
export type Severity = 'error' | 'warning';

/**
 * One finding of a policy. `path` points into the request (e.g.
 * `env[2].value`) or, for rendered objects, into the manifest
 * (`Deployment.spec.template.spec.hostNetwork`).
 *
 * @public
 */
export type PolicyViolation = {
  policyId: string;
  severity: Severity;
  path: string;
  message: string;
  hint: string;
  /** Anchor of the policy's section in docs/docs/policies.md. */
  docsAnchor: string;
};

/** What the cluster and history say, as far as the caller knows them. @public */
export type ClusterFacts = {
  /** Namespaces of the target cluster with their owner label, when known. */
  namespaces?: Array<{ name: string; owner?: string }>;
  /** Image digests deployed successfully, per environment. */
  deployedDigests?: Partial<Record<EnvironmentName, string[]>>;
  /**
   * The image references (`repository[:tag]@digest`) running now, per
   * environment, so a refusal can name what to promote.
   */
  runningImages?: Partial<Record<EnvironmentName, string[]>>;
  /**
   * The Secrets the request's secretKeyRefs name, in the target namespace:
   * the application they are labelled for (`deployments/application`), or
   * null when the Secret does not exist. Metadata only, never values;
   * absent when unknown.
   */
  secrets?: Record<string, { application?: string } | null>;
  /**
   * The monthly estimate of what the owning team's other deployments in the
   * environment run now (this deployment excluded), when the environment
   * has a cost budget.
   */
  teamMonthlyCost?: number;
};

/**
 * The environment a policy judges a request for, as configured: its name,
 * whether it is a production environment and the one before it in the
 * promotion order.
 *
 * @public
 */
export type PolicyEnvironment = {
  name: EnvironmentName;
  /** A production environment: the strictest defaults apply. */
  production: boolean;
  /** The environment before this one in the configured order, if any. */
  previous?: EnvironmentName;
};

/** @public */
export type PolicyContext = {
  /** The owning group of the application, e.g. `group:default/team-payments`. */
  owner: string;
  cluster: ClusterFacts;
};

/** Per-policy settings from config: enablement, severity and parameters. @public */
export type PolicySettings = {
  enabled?: boolean;
  severity?: Severity;
  [parameter: string]: unknown;
};

/** @public */
export type PolicyInput = {
  request: DeploymentRequest;
  manifests: RenderedManifest[];
  context: PolicyContext;
};

/**
 * A policy: a small named pure function. `evaluate` returns findings without
 * policyId/severity/docsAnchor; the engine fills those in.
 *
 * @public
 */
export type Policy = {
  id: string;
  title: string;
  description: string;
  /** Severity when config does not say otherwise. */
  defaultSeverity: Severity;
  /** Parameters per environment when config does not say otherwise. */
  defaults?: (environment: PolicyEnvironment) => Record<string, unknown>;
  evaluate(
    input: PolicyInput,
    parameters: Record<string, unknown>,
  ): Array<{ path: string; message: string; hint: string }>;
};
