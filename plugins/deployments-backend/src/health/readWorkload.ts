import {
  detectErrors,
  DetectedError,
} from '@backstage/plugin-kubernetes-common';
import {
  AppsV1Api,
  ConfigurationOptions,
  CoreV1Api,
  CoreV1Event,
  KubeConfig,
  Observable,
  ObservableMiddleware,
  V1Deployment,
  V1Pod,
} from '@kubernetes/client-node';
import {
  ANNOTATION_KUBERNETES_ID,
  LiveDeploymentState,
  PodSummary,
  WarningEvent,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { liveStateOf, withoutUndefined } from '../kubernetes/liveState';
import { suggestedFixFor } from './suggestedFixes';

/** What the cluster says about an application in one namespace. */
export type WorkloadHealth = {
  pods: PodSummary[];
  events: WarningEvent[];
  /** The application's Deployment, when there is one. */
  live?: LiveDeploymentState;
};

/** Warning events older than this are history, not health. */
const RECENT_MS = 60 * 60 * 1000;
const MAX_EVENTS = 20;
const MAX_MESSAGE_LENGTH = 500;

/**
 * Reads the application's pods, Deployment and recent Warning events
 * (objects labelled `backstage.io/kubernetes-id=<id>`) with the cluster's
 * client. Every request is aborted by `signal`; errors are thrown as the
 * client reports them (the caller words them).
 */
export async function readWorkload(
  kubeConfig: KubeConfig,
  options: {
    cluster: string;
    namespace: string;
    kubernetesId: string;
    signal: AbortSignal;
    now?: Date;
  },
): Promise<WorkloadHealth> {
  const { namespace, kubernetesId, signal } = options;
  // The generated client takes an AbortSignal only through a middleware.
  const abortable: ConfigurationOptions<ObservableMiddleware> = {
    middleware: [
      {
        pre: context => {
          context.setSignal(signal);
          return new Observable(Promise.resolve(context));
        },
        post: context => new Observable(Promise.resolve(context)),
      },
    ],
    middlewareMergeStrategy: 'append',
  };
  const labelSelector = `${ANNOTATION_KUBERNETES_ID}=${kubernetesId}`;
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  const [pods, deployments, events] = await Promise.all([
    core.listNamespacedPod({ namespace, labelSelector }, abortable),
    apps.listNamespacedDeployment({ namespace, labelSelector }, abortable),
    core.listNamespacedEvent(
      { namespace, fieldSelector: 'type=Warning' },
      abortable,
    ),
  ]);

  const deployment =
    deployments.items.find(d => d.metadata?.name === kubernetesId) ??
    deployments.items[0];
  const podNames = new Set(pods.items.map(p => p.metadata?.name));
  const ownNames = new Set(
    deployments.items.map(d => d.metadata?.name).filter(Boolean),
  );
  const now = (options.now ?? new Date()).getTime();
  const recentEvents = events.items
    .filter(e => concernsApplication(e, podNames, ownNames, kubernetesId))
    .map(toWarningEvent)
    .filter(e => !e.lastSeen || now - Date.parse(e.lastSeen) <= RECENT_MS);

  return {
    pods: pods.items
      .map(toPodSummary)
      .sort((a, b) => (a.name < b.name ? -1 : 1)),
    events: [
      ...recentEvents,
      ...detectedWarnings(options.cluster, pods.items, deployments.items),
    ]
      .sort((a, b) => (b.lastSeen ?? '').localeCompare(a.lastSeen ?? ''))
      .slice(0, MAX_EVENTS),
    live: deployment ? liveStateOf(deployment) : undefined,
  };
}

/** Events about the app's pods, its Deployment or ReplicaSets (`<name>-<hash>`). */
function concernsApplication(
  event: CoreV1Event,
  podNames: Set<string | undefined>,
  deploymentNames: Set<string | undefined>,
  kubernetesId: string,
): boolean {
  const name = event.involvedObject?.name ?? '';
  if (podNames.has(name)) return true;
  const owners = new Set([...deploymentNames, kubernetesId]);
  for (const owner of owners) {
    if (owner && (name === owner || name.startsWith(`${owner}-`))) return true;
  }
  return false;
}

function toWarningEvent(event: CoreV1Event): WarningEvent {
  const lastSeen =
    event.lastTimestamp ??
    event.series?.lastObservedTime ??
    event.eventTime ??
    event.metadata?.creationTimestamp;
  const reason = event.reason ?? 'Warning';
  const message = event.message ?? '';
  return withoutUndefined({
    object: `${event.involvedObject?.kind ?? 'Object'}/${
      event.involvedObject?.name ?? ''
    }`,
    reason,
    message:
      message.length > MAX_MESSAGE_LENGTH
        ? `${message.slice(0, MAX_MESSAGE_LENGTH)}…`
        : message,
    count: event.series?.count ?? event.count ?? 1,
    lastSeen: lastSeen ? new Date(lastSeen).toISOString() : undefined,
    suggestedFix: suggestedFixFor(reason),
  });
}

/**
 * What the Kubernetes plugin's error detection finds in the pods and the
 * Deployment (crash loops, waiting containers, failing readiness), with its
 * proposed fixes.
 */
function detectedWarnings(
  cluster: string,
  pods: V1Pod[],
  deployments: V1Deployment[],
): WarningEvent[] {
  const detected: DetectedError[] =
    detectErrors({
      items: [
        {
          cluster: { name: cluster },
          resources: [
            { type: 'pods', resources: pods },
            { type: 'deployments', resources: deployments },
          ],
          podMetrics: [],
          errors: [],
        },
      ],
    }).get(cluster) ?? [];
  return detected.map(error => {
    const fix = error.proposedFix;
    const reason = fix?.errorType ?? error.type;
    return withoutUndefined({
      object: `${error.sourceRef.kind}/${error.sourceRef.name}`,
      reason,
      message: error.message,
      count: error.occurrenceCount,
      suggestedFix: fix
        ? [fix.rootCauseExplanation, ...fix.actions].map(sentence).join(' ')
        : suggestedFixFor(reason),
    });
  });
}

function sentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

function toPodSummary(pod: V1Pod): PodSummary {
  return withoutUndefined({
    name: pod.metadata?.name ?? '',
    phase: pod.status?.phase ?? 'Unknown',
    ready:
      pod.status?.conditions?.some(
        c => c.type === 'Ready' && c.status === 'True',
      ) ?? false,
    restarts: (pod.status?.containerStatuses ?? []).reduce(
      (sum, c) => sum + (c.restartCount ?? 0),
      0,
    ),
    node: pod.spec?.nodeName,
    startedAt: pod.status?.startTime
      ? new Date(pod.status.startTime).toISOString()
      : undefined,
  });
}
