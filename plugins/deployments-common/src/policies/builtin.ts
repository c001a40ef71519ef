import { parseEntityRef } from '@backstage/catalog-model';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { EnvironmentName } from '../model/environments';
import { quantityValue } from '../model/kubernetes';
import { isCidr, metadataWithin } from '../model/addresses';
import { secretReferences } from '../model/request';
import { RENDERED_KINDS } from '../render/renderManifests';
import { isSecretName, secretValueShape } from './secrets';
import { Policy, PolicyInput } from './types';
import { changeReferencePolicy } from './changeReference';
import { costBudgetPolicy } from './costBudget';

type Finding = { path: string; message: string; hint: string };

function param<T>(
  parameters: Record<string, unknown>,
  key: string,
  fallback: T,
): T {
  const value = parameters[key];
  return value === undefined ? fallback : (value as T);
}

function deployments(input: PolicyInput): IDeployment[] {
  return input.manifests.filter(
    (m): m is IDeployment => m.kind === 'Deployment',
  );
}

function ownerName(ref: string): string {
  return parseEntityRef(ref, { defaultKind: 'group' }).name;
}

const DEFAULT_SYSTEM_NAMESPACES = [
  'default',
  'kube-system',
  'kube-public',
  'kube-node-lease',
  'backstage-system',
];

export const namespaceOwnershipPolicy: Policy = {
  id: 'namespace-ownership',
  title: 'Namespace exists and belongs to the owner',
  description:
    "The target namespace exists in the environment's cluster, carries the application owner's label, and is not a system namespace.",
  defaultSeverity: 'error',
  evaluate({ request, context }, parameters) {
    const namespace = request.namespace;
    const system = param(
      parameters,
      'systemNamespaces',
      DEFAULT_SYSTEM_NAMESPACES,
    );
    if (system.includes(namespace) || namespace.startsWith('kube-')) {
      return [
        {
          path: 'namespace',
          message: `namespace '${namespace}' is a system namespace`,
          hint: "deploy to the application's own namespace, e.g. <application>-<environment>",
        },
      ];
    }
    const known = context.cluster.namespaces;
    if (!known) {
      return [];
    }
    const found = known.find(n => n.name === namespace);
    const owner = ownerName(context.owner);
    if (!found) {
      return [
        {
          path: 'namespace',
          message: `namespace '${namespace}' does not exist in the ${request.environment} cluster`,
          hint: `pick an existing namespace of ${owner}, or ask the platform team to create '${namespace}'`,
        },
      ];
    }
    if (found.owner !== owner) {
      return [
        {
          path: 'namespace',
          message: found.owner
            ? `namespace '${namespace}' belongs to ${found.owner}, not to ${owner}`
            : `namespace '${namespace}' has no owner label (backstage.io/owner)`,
          hint: `deploy to a namespace labelled backstage.io/owner=${owner}`,
        },
      ];
    }
    return [];
  },
};

const RESOURCE_MAXIMA: Record<
  EnvironmentName,
  { maxCpu: string; maxMemory: string }
> = {
  development: { maxCpu: '1', maxMemory: '1Gi' },
  test: { maxCpu: '1', maxMemory: '1Gi' },
  acceptance: { maxCpu: '2', maxMemory: '4Gi' },
  production: { maxCpu: '4', maxMemory: '8Gi' },
};

export const resourceLimitsPolicy: Policy = {
  id: 'resource-limits',
  title: 'Requests and limits within the environment maxima',
  description:
    'CPU and memory requests and limits are set, requests do not exceed limits, and limits stay within the per-environment maxima.',
  defaultSeverity: 'error',
  defaults: environment =>
    RESOURCE_MAXIMA[environment.name] ??
    RESOURCE_MAXIMA[environment.production ? 'production' : 'development'],
  evaluate({ request }, parameters) {
    const findings: Finding[] = [];
    const maxima = {
      cpu: param(parameters, 'maxCpu', '1'),
      memory: param(parameters, 'maxMemory', '1Gi'),
    };
    for (const resource of ['cpu', 'memory'] as const) {
      const requested = quantityValue(request.resources.requests[resource]);
      const limit = quantityValue(request.resources.limits[resource]);
      const maximum = quantityValue(maxima[resource]);
      if (requested === undefined || limit === undefined) {
        continue; // the schema reports malformed quantities
      }
      if (requested > limit) {
        findings.push({
          path: `resources.requests.${resource}`,
          message: `${resource} request ${request.resources.requests[resource]} exceeds its limit ${request.resources.limits[resource]}`,
          hint: `lower the request or raise the limit to at least ${request.resources.requests[resource]}`,
        });
      }
      if (maximum !== undefined && limit > maximum) {
        findings.push({
          path: `resources.limits.${resource}`,
          message: `${resource} limit ${request.resources.limits[resource]} exceeds the ${request.environment} maximum of ${maxima[resource]}`,
          hint: `use at most ${maxima[resource]}, or ask the platform team to raise deployments.environments.${request.environment}.policies.resource-limits`,
        });
      }
    }
    return findings;
  },
};

export const replicaBoundsPolicy: Policy = {
  id: 'replica-bounds',
  title: 'Replicas within bounds',
  description:
    'The replica count (or the autoscaling range) stays within the environment bounds; production runs at least two replicas.',
  defaultSeverity: 'error',
  defaults: environment =>
    environment.production
      ? { minReplicas: 2, maxReplicas: 20 }
      : { minReplicas: 1, maxReplicas: 10 },
  evaluate({ request }, parameters) {
    const min = param(parameters, 'minReplicas', 1);
    const max = param(parameters, 'maxReplicas', 10);
    const low = request.autoscaling?.minReplicas ?? request.replicas;
    const high = request.autoscaling?.maxReplicas ?? request.replicas;
    const field = request.autoscaling ? 'autoscaling.minReplicas' : 'replicas';
    const findings: Finding[] = [];
    if (low < min) {
      findings.push({
        path: field,
        message: `${field} is ${low}; ${request.environment} needs at least ${min}`,
        hint: `set ${field} to ${min} or more so a node failure or rollout never takes the service down`,
      });
    }
    if (high > max) {
      findings.push({
        path: request.autoscaling ? 'autoscaling.maxReplicas' : 'replicas',
        message: `${
          request.autoscaling ? 'autoscaling.maxReplicas' : 'replicas'
        } is ${high}; ${request.environment} allows at most ${max}`,
        hint: `use at most ${max} replicas, or ask the platform team to raise the bound`,
      });
    }
    return findings;
  },
};

export const podSecurityPolicy: Policy = {
  id: 'pod-security',
  title: 'Non-root, read-only, unprivileged pods',
  description:
    'Containers run as non-root with a read-only root filesystem, without privilege escalation or added capabilities; pods use no host namespaces or hostPath volumes.',
  defaultSeverity: 'error',
  evaluate(input) {
    const findings: Finding[] = [];
    for (const deployment of deployments(input)) {
      const pod = deployment.spec?.template.spec;
      if (!pod) continue;
      const base = 'Deployment.spec.template.spec';
      for (const field of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
        if (pod[field]) {
          findings.push({
            path: `${base}.${field}`,
            message: `${field} is enabled`,
            hint: `remove ${field}: pods must not share the node's namespaces`,
          });
        }
      }
      (pod.volumes ?? []).forEach((volume, i) => {
        if (volume.hostPath) {
          findings.push({
            path: `${base}.volumes[${i}].hostPath`,
            message: `volume '${volume.name}' mounts a host path`,
            hint: 'use an emptyDir, a ConfigMap or a PersistentVolumeClaim instead',
          });
        }
      });
      pod.containers.forEach((container, i) => {
        const path = `${base}.containers[${i}].securityContext`;
        const sc = container.securityContext ?? {};
        if (
          sc.runAsNonRoot !== true &&
          pod.securityContext?.runAsNonRoot !== true
        ) {
          findings.push({
            path: `${path}.runAsNonRoot`,
            message: `container '${container.name}' may run as root`,
            hint: 'build the image with a non-root USER; the portal sets runAsNonRoot: true',
          });
        }
        if (sc.readOnlyRootFilesystem !== true) {
          findings.push({
            path: `${path}.readOnlyRootFilesystem`,
            message: `container '${container.name}' has a writable root filesystem`,
            hint: 'write only to /tmp (an emptyDir) and set readOnlyRootFilesystem: true',
          });
        }
        if (sc.privileged) {
          findings.push({
            path: `${path}.privileged`,
            message: `container '${container.name}' is privileged`,
            hint: 'remove privileged: true',
          });
        }
        if (sc.allowPrivilegeEscalation !== false) {
          findings.push({
            path: `${path}.allowPrivilegeEscalation`,
            message: `container '${container.name}' allows privilege escalation`,
            hint: 'set allowPrivilegeEscalation: false',
          });
        }
        if ((sc.capabilities?.add ?? []).length > 0) {
          findings.push({
            path: `${path}.capabilities.add`,
            message: `container '${
              container.name
            }' adds capabilities ${sc.capabilities!.add!.join(', ')}`,
            hint: 'drop ALL capabilities and add none',
          });
        }
      });
    }
    return findings;
  },
};

export const networkPolicyPolicy: Policy = {
  id: 'network-policy',
  title: 'A NetworkPolicy limits traffic in and out',
  description:
    'Every deployment ships a NetworkPolicy selecting its pods for ingress and egress: in, only the application itself and the ingress controller; out, only DNS, the application itself and the declared destinations, never the cloud metadata endpoint.',
  defaultSeverity: 'error',
  evaluate(input) {
    const policies = input.manifests.filter(
      (m): m is INetworkPolicy => m.kind === 'NetworkPolicy',
    );
    const findings: Finding[] = [];
    for (const deployment of deployments(input)) {
      const selector = deployment.spec?.selector.matchLabels ?? {};
      const selecting = policies.filter(policy =>
        Object.entries(policy.spec?.podSelector.matchLabels ?? {}).every(
          ([key, value]) => selector[key] === value,
        ),
      );
      const name = deployment.metadata?.name;
      if (selecting.length === 0) {
        findings.push({
          path: 'NetworkPolicy',
          message: `no NetworkPolicy selects the pods of Deployment '${name}'`,
          hint: 'deploy through the portal, which renders a default-deny NetworkPolicy for every application',
        });
        continue;
      }
      if (!selecting.some(p => p.spec?.policyTypes?.includes('Egress'))) {
        findings.push({
          path: 'NetworkPolicy',
          message: `no NetworkPolicy limits the egress of Deployment '${name}'`,
          hint: 'deploy through the portal, which allows only DNS, the application itself and the destinations in egress',
        });
      }
      for (const policy of selecting) {
        for (const rule of policy.spec?.egress ?? []) {
          for (const peer of rule.to ?? []) {
            const block = peer.ipBlock;
            if (!block || !isCidr(block.cidr)) continue;
            const open = metadataWithin(block.cidr).filter(
              m => !(block.except ?? []).includes(m),
            );
            if (open.length > 0) {
              findings.push({
                path: 'egress',
                message: `egress to ${
                  block.cidr
                } opens the cloud metadata endpoint (${open.join(', ')})`,
                hint: `except it: ipBlock.except: [${open.join(
                  ', ',
                )}] (the portal's renderer does)`,
              });
            }
          }
        }
      }
    }
    return findings;
  },
};

export const imageSourcePolicy: Policy = {
  id: 'image-source',
  title: 'Trusted image registry, no latest, digest in production',
  description:
    "Images come from an allowed registry, never use the 'latest' tag, and production deploys by digest.",
  defaultSeverity: 'error',
  defaults: environment => ({
    allowedRegistries: [],
    requireDigest: environment.production,
  }),
  evaluate({ request }, parameters) {
    const findings: Finding[] = [];
    const allowed = param<string[]>(parameters, 'allowedRegistries', []);
    const { repository, tag, digest } = request.image;
    if (
      allowed.length > 0 &&
      !allowed.some(
        prefix =>
          repository === prefix ||
          repository.startsWith(`${prefix.replace(/\/$/, '')}/`),
      )
    ) {
      findings.push({
        path: 'image.repository',
        message: `image repository '${repository}' is not in an allowed registry`,
        hint: `push the image to one of: ${allowed.join(', ')}`,
      });
    }
    if (tag === 'latest') {
      findings.push({
        path: 'image.tag',
        message: "image tag 'latest' is not allowed",
        hint: 'use an immutable version tag (e.g. 1.4.2) or a digest',
      });
    }
    if (param(parameters, 'requireDigest', false) && !digest) {
      findings.push({
        path: 'image.digest',
        message: `${request.environment} requires an image digest`,
        hint: 'promote the build from the previous environment, which deploys the exact digest that ran there',
      });
    }
    return findings;
  },
};

export const plaintextSecretsPolicy: Policy = {
  id: 'plaintext-secrets',
  title: 'No plaintext secrets',
  description:
    'Plain environment values must not contain secrets: recognised by the variable name (…PASSWORD, …SECRET, …TOKEN, …KEY), credentials in URLs, known key and token formats, and high entropy.',
  defaultSeverity: 'error',
  evaluate({ request }) {
    const findings: Finding[] = [];
    request.env.forEach((envVar, i) => {
      if (!('value' in envVar) || envVar.value === '') {
        return;
      }
      const hint = `store it in a Kubernetes Secret and reference it: { name: ${envVar.name}, secretKeyRef: { name: <secret>, key: <key> } }`;
      if (isSecretName(envVar.name)) {
        findings.push({
          path: `env[${i}].value`,
          message: `${envVar.name} holds a secret as a plain value`,
          hint,
        });
        return;
      }
      const shape = secretValueShape(envVar.value);
      if (shape) {
        findings.push({
          path: `env[${i}].value`,
          message: `the value of ${envVar.name} looks like ${shape}`,
          hint,
        });
      }
    });
    return findings;
  },
};

/** The label a Secret carries to be referenced by an application. */
export const SECRET_APPLICATION_LABEL = 'deployments/application';

export const secretOwnershipPolicy: Policy = {
  id: 'secret-ownership',
  title: 'Secrets referenced belong to the application',
  description: `A secretKeyRef may name only a Secret of the target namespace labelled ${SECRET_APPLICATION_LABEL}: <application>, so that no application reads another's credentials. The portal reads the Secrets' metadata only, never their values.`,
  defaultSeverity: 'error',
  evaluate({ request, context }) {
    const secrets = context.cluster.secrets;
    if (!secrets) return [];
    const application = parseEntityRef(request.application).name;
    const findings: Finding[] = [];
    for (const ref of secretReferences(request)) {
      const secret = secrets[ref.secret];
      if (!secret || secret.application === application) continue;
      findings.push({
        path: `env[${ref.index}].secretKeyRef.name`,
        message: secret.application
          ? `Secret '${ref.secret}' in namespace '${request.namespace}' belongs to application '${secret.application}', not '${application}'`
          : `Secret '${ref.secret}' in namespace '${request.namespace}' is not labelled for '${application}'`,
        hint: secret.application
          ? `reference a Secret of ${application}, or ask the platform team`
          : `label it for the application: kubectl -n ${request.namespace} label secret ${ref.secret} ${SECRET_APPLICATION_LABEL}=${application}`,
      });
    }
    return findings;
  },
};

export const secretExistsPolicy: Policy = {
  id: 'secret-exists',
  title: 'Secrets referenced exist',
  description:
    'Every Secret a secretKeyRef names exists in the target namespace; otherwise the pods cannot start (and the rollout is rolled back).',
  defaultSeverity: 'warning',
  evaluate({ request, context }) {
    const secrets = context.cluster.secrets;
    if (!secrets) return [];
    const application = parseEntityRef(request.application).name;
    return secretReferences(request)
      .filter(ref => secrets[ref.secret] === null)
      .map(ref => ({
        path: `env[${ref.index}].secretKeyRef.name`,
        message: `Secret '${ref.secret}' (for ${ref.variable}) does not exist in namespace '${request.namespace}'`,
        hint: `create it before deploying, labelled ${SECRET_APPLICATION_LABEL}=${application}`,
      }));
  },
};

/** Accepted aliases and the canonical name each stands for. */
export const CONFIG_NAME_ALIASES: Record<string, string> = {
  PYTHON_ENV: 'ENVIRONMENT',
  JWT_SECRET: 'SECRET_KEY',
  JWT_ALGORITHM: 'ALGORITHM',
  ALLOWED_ORIGINS: 'CORS_ORIGINS',
};

export const canonicalConfigNamesPolicy: Policy = {
  id: 'canonical-config-names',
  title: 'Canonical config names',
  description:
    'Applications read ENVIRONMENT, DATABASE_URL (or POSTGRES_*), SECRET_KEY, ALGORITHM, ACCESS_TOKEN_EXPIRE_MINUTES and CORS_ORIGINS; aliases work but are flagged.',
  defaultSeverity: 'warning',
  evaluate({ request }) {
    return request.env.flatMap((envVar, i) => {
      const canonical = CONFIG_NAME_ALIASES[envVar.name];
      return canonical
        ? [
            {
              path: `env[${i}].name`,
              message: `${envVar.name} is an alias of ${canonical}`,
              hint: `rename it to ${canonical}; the alias keeps working for now`,
            },
          ]
        : [];
    });
  },
};

export const healthProbesPolicy: Policy = {
  id: 'health-probes',
  title: 'Liveness and readiness probes',
  description:
    'Every container has HTTP liveness and readiness probes (the health contract: /health and /api/v2/ready).',
  defaultSeverity: 'error',
  evaluate(input) {
    const findings: Finding[] = [];
    for (const deployment of deployments(input)) {
      deployment.spec?.template.spec?.containers.forEach((container, i) => {
        for (const probe of ['livenessProbe', 'readinessProbe'] as const) {
          if (!container[probe]?.httpGet?.path) {
            findings.push({
              path: `Deployment.spec.template.spec.containers[${i}].${probe}`,
              message: `container '${container.name}' has no HTTP ${probe}`,
              hint: 'set health.liveness (default /health) and health.readiness (default /api/v2/ready)',
            });
          }
        }
      });
    }
    return findings;
  },
};

export { changeReferencePolicy };

export const otapOrderPolicy: Policy = {
  id: 'otap-order',
  title: 'OTAP order: same digest from the previous environment',
  description:
    'A production environment receives only an image digest that was deployed successfully to the environment before it (acceptance by default) - never a rebuild.',
  defaultSeverity: 'error',
  defaults: environment => ({
    requirePreviousEnvironment: environment.production,
    previousEnvironment: environment.previous,
  }),
  evaluate({ request, context }, parameters) {
    if (!param(parameters, 'requirePreviousEnvironment', false)) {
      return [];
    }
    const previous = param<string | undefined>(
      parameters,
      'previousEnvironment',
      undefined,
    );
    if (!previous) {
      return [];
    }
    const digest = request.image.digest;
    const deployed = context.cluster.deployedDigests?.[previous] ?? [];
    if (digest && deployed.includes(digest)) {
      return [];
    }
    const running = (context.cluster.runningImages?.[previous] ?? []).filter(
      image => image.includes('@'),
    );
    const runs =
      running.length > 0
        ? `${previous} runs ${running.slice(0, 3).join(', ')}${
            running.length > 3 ? ` and ${running.length - 3} more` : ''
          }`
        : `nothing runs in ${previous} yet`;
    return [
      {
        path: 'image.digest',
        message: digest
          ? `image digest ${digest} never ran successfully in ${previous}; ${runs}`
          : `${request.environment} takes a digest that ran in ${previous}, not a tag; ${runs}`,
        hint:
          running.length > 0
            ? `promote what runs in ${previous} (the promote template or POST /promote), or set image.digest to ${running[0].slice(
                running[0].indexOf('@') + 1,
              )}`
            : `deploy the build to ${previous} first, then promote it to ${request.environment}`,
      },
    ];
  },
};

const RENDERED = new Set<string>(RENDERED_KINDS);

export const manifestScopePolicy: Policy = {
  id: 'manifest-scope',
  title: 'Only namespaced objects the portal renders',
  description:
    'The applied set contains only the kinds the renderer produces, all in the target namespace; no cluster-scoped objects.',
  defaultSeverity: 'error',
  evaluate({ request, manifests }) {
    const findings: Finding[] = [];
    manifests.forEach((manifest, i) => {
      if (!RENDERED.has(manifest.kind)) {
        findings.push({
          path: `manifests[${i}].kind`,
          message: `kind ${manifest.kind} is not something the portal deploys`,
          hint: `only ${RENDERED_KINDS.join(', ')} are applied`,
        });
      }
      if (manifest.metadata?.namespace !== request.namespace) {
        findings.push({
          path: `manifests[${i}].metadata.namespace`,
          message: `${manifest.kind} '${manifest.metadata?.name}' is ${
            manifest.metadata?.namespace
              ? `in namespace '${manifest.metadata.namespace}'`
              : 'cluster-scoped'
          }, not in '${request.namespace}'`,
          hint: `every object must live in the target namespace '${request.namespace}'`,
        });
      }
    });
    return findings;
  },
};

/** The built-in policies, in the order their findings are reported. */
export const BUILT_IN_POLICIES: readonly Policy[] = [
  namespaceOwnershipPolicy,
  resourceLimitsPolicy,
  replicaBoundsPolicy,
  podSecurityPolicy,
  networkPolicyPolicy,
  imageSourcePolicy,
  plaintextSecretsPolicy,
  secretOwnershipPolicy,
  secretExistsPolicy,
  canonicalConfigNamesPolicy,
  healthProbesPolicy,
  changeReferencePolicy,
  otapOrderPolicy,
  manifestScopePolicy,
  costBudgetPolicy,
];
