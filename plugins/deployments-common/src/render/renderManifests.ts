import { parseEntityRef } from '@backstage/catalog-model';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import { DeploymentRequest, imageReference } from '../model/request';
import { metadataWithin } from '../model/addresses';

/** Field manager and managed-by label of everything the suite applies. */
export const FIELD_MANAGER = 'backstage-deployments';

/** A rendered Kubernetes object. */
export type RenderedManifest =
  | IServiceAccount
  | IConfigMap
  | IDeployment
  | IService
  | INetworkPolicy
  | IPodDisruptionBudget
  | IHorizontalPodAutoscaler;

/** The kinds the renderer produces, in apply order. */
export const RENDERED_KINDS = [
  'ServiceAccount',
  'ConfigMap',
  'Deployment',
  'Service',
  'NetworkPolicy',
  'PodDisruptionBudget',
  'HorizontalPodAutoscaler',
] as const;

export type RenderOptions = {
  /** The owning group of the application, e.g. `group:default/team-payments`. */
  owner: string;
  /** Namespace of the ingress controller, allowed through the NetworkPolicy. */
  ingressNamespace?: string;
};

/** The name of the Kubernetes objects: `request.name` or the entity's name. */
export function workloadName(request: DeploymentRequest): string {
  return request.name ?? parseEntityRef(request.application).name;
}

// FNV-1a, 32 bit: a stable fingerprint of the plain config, so a changed
// value rolls the pods. Not for security.
function fingerprint(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

function versionLabel(image: DeploymentRequest['image']): string {
  if (image.tag) {
    // Label values start and end with an alphanumeric; tags may not.
    const value = image.tag
      .slice(0, 63)
      .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
    return value || 'unknown';
  }
  return `sha256-${image.digest!.slice(
    'sha256:'.length,
    'sha256:'.length + 12,
  )}`;
}

/** Where the cluster's DNS runs (the kube-dns / CoreDNS pods). */
const DNS_PEER = {
  namespaceSelector: {
    matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' },
  },
  podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
};

/**
 * The egress a workload gets: DNS, its own application's pods, and each
 * declared destination on its ports (a CIDR never includes the metadata
 * endpoint).
 */
function egressRules(
  request: DeploymentRequest,
  name: string,
): NonNullable<NonNullable<INetworkPolicy['spec']>['egress']> {
  return [
    {
      to: [DNS_PEER],
      ports: [
        { port: 53, protocol: 'UDP' },
        { port: 53, protocol: 'TCP' },
      ],
    },
    {
      to: [
        { podSelector: { matchLabels: { 'app.kubernetes.io/name': name } } },
      ],
    },
    ...(request.egress ?? []).map(destination => ({
      to: [
        destination.cidr
          ? {
              ipBlock: {
                cidr: destination.cidr,
                ...(metadataWithin(destination.cidr).length > 0
                  ? { except: metadataWithin(destination.cidr) }
                  : {}),
              },
            }
          : {
              namespaceSelector: {
                matchLabels: {
                  'kubernetes.io/metadata.name': destination.namespace!,
                },
              },
            },
      ],
      ports: destination.ports.map(port => ({
        port,
        protocol: 'TCP' as const,
      })),
    })),
  ];
}

/**
 * Renders a validated request into the Kubernetes objects the suite applies.
 * Pure and deterministic: the same request gives byte-identical output.
 */
export function renderManifests(
  request: DeploymentRequest,
  options: RenderOptions,
): RenderedManifest[] {
  const name = workloadName(request);
  const namespace = request.namespace;
  const owner = parseEntityRef(options.owner, { defaultKind: 'group' }).name;
  const application = parseEntityRef(request.application).name;
  const selector = {
    'app.kubernetes.io/name': name,
    'app.kubernetes.io/instance': `${name}-${request.environment}`,
  };
  const labels = {
    ...selector,
    'app.kubernetes.io/version': versionLabel(request.image),
    'app.kubernetes.io/managed-by': FIELD_MANAGER,
    'backstage.io/kubernetes-id': application,
    'deployments/environment': request.environment,
    'deployments/owner': owner,
  };
  // A fresh object per manifest: callers may annotate one without touching the rest.
  const metadata = () => ({ name, namespace, labels: { ...labels } });

  const plainEnv = request.env.filter(
    (e): e is { name: string; value: string } => 'value' in e,
  );
  const configData = Object.fromEntries(
    [...plainEnv]
      // Code-unit order, not locale order: identical output on every machine.
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map(e => [e.name, e.value]),
  );
  const secretEnv: IEnvVar[] = request.env
    .filter(e => 'secretKeyRef' in e)
    .map(e => ({
      name: e.name,
      valueFrom: {
        secretKeyRef: {
          name: (e as { secretKeyRef: { name: string } }).secretKeyRef.name,
          key: (e as { secretKeyRef: { key: string } }).secretKeyRef.key,
        },
      },
    }));
  const primaryPort = request.ports[0].name;
  const replicasFloor = request.autoscaling?.minReplicas ?? request.replicas;

  const manifests: RenderedManifest[] = [
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: metadata(),
      automountServiceAccountToken: false,
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { ...metadata(), name: `${name}-env` },
      data: configData,
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: metadata(),
      spec: {
        // With autoscaling the HPA owns the replica count.
        ...(request.autoscaling ? {} : { replicas: request.replicas }),
        revisionHistoryLimit: 10,
        selector: { matchLabels: selector },
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: { maxUnavailable: 0, maxSurge: 1 },
        },
        template: {
          metadata: {
            labels,
            annotations: {
              'deployments/config-hash': fingerprint(
                JSON.stringify(configData),
              ),
            },
          },
          spec: {
            serviceAccountName: name,
            automountServiceAccountToken: false,
            securityContext: {
              runAsNonRoot: true,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            containers: [
              {
                name,
                image: imageReference(request.image),
                imagePullPolicy: 'IfNotPresent',
                ports: request.ports.map(p => ({
                  name: p.name,
                  containerPort: p.containerPort,
                  protocol: 'TCP',
                })),
                envFrom: [{ configMapRef: { name: `${name}-env` } }],
                ...(secretEnv.length > 0 ? { env: secretEnv } : {}),
                resources: {
                  requests: { ...request.resources.requests },
                  limits: { ...request.resources.limits },
                },
                livenessProbe: {
                  httpGet: { path: request.health.liveness, port: primaryPort },
                  initialDelaySeconds: 5,
                  periodSeconds: 10,
                  timeoutSeconds: 2,
                  failureThreshold: 3,
                },
                readinessProbe: {
                  httpGet: {
                    path: request.health.readiness,
                    port: primaryPort,
                  },
                  periodSeconds: 5,
                  timeoutSeconds: 2,
                  failureThreshold: 3,
                },
                securityContext: {
                  runAsNonRoot: true,
                  readOnlyRootFilesystem: true,
                  allowPrivilegeEscalation: false,
                  privileged: false,
                  capabilities: { drop: ['ALL'] },
                  seccompProfile: { type: 'RuntimeDefault' },
                },
                volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
              },
            ],
            volumes: [{ name: 'tmp', emptyDir: {} }],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: metadata(),
      spec: {
        type: 'ClusterIP',
        selector,
        ports: request.ports.map(p => ({
          name: p.name,
          port: p.containerPort,
          targetPort: p.name,
          protocol: 'TCP',
        })),
      },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: metadata(),
      spec: {
        // Selecting the pods with policy types Ingress and Egress denies
        // every other source and destination: in, only the same
        // application and the ingress controller; out, only DNS, the same
        // application and the declared destinations (never the cloud
        // metadata endpoint).
        podSelector: { matchLabels: selector },
        policyTypes: ['Ingress', 'Egress'],
        egress: egressRules(request, name),
        ingress: [
          {
            from: [
              {
                podSelector: {
                  matchLabels: { 'app.kubernetes.io/name': name },
                },
              },
              {
                namespaceSelector: {
                  matchLabels: {
                    'kubernetes.io/metadata.name':
                      options.ingressNamespace ?? 'ingress-nginx',
                  },
                },
              },
            ],
            ports: request.ports.map(p => ({
              port: p.containerPort,
              protocol: 'TCP',
            })),
          },
        ],
      },
    },
  ];

  if (replicasFloor >= 2) {
    manifests.push({
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: metadata(),
      spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
    });
  }

  if (request.autoscaling) {
    manifests.push({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: metadata(),
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
        minReplicas: request.autoscaling.minReplicas,
        maxReplicas: request.autoscaling.maxReplicas,
        metrics: [
          {
            type: 'Resource',
            resource: {
              name: 'cpu',
              target: {
                type: 'Utilization',
                averageUtilization:
                  request.autoscaling.targetCPUUtilizationPercentage,
              },
            },
          },
        ],
      },
    });
  }

  return manifests;
}
