/**
 * Short hints for the warning event reasons teams meet most, keyed by the
 * event's reason. Phrased as what to check, not as a diagnosis.
 */
const FIXES: Record<string, string> = {
  ImagePullBackOff:
    'The image cannot be pulled: check the repository and tag that were deployed (deployments/image) exist, and that the cluster may pull from the registry (imagePullSecrets).',
  ErrImagePull:
    'The image cannot be pulled: check the repository and tag that were deployed (deployments/image) exist, and that the cluster may pull from the registry (imagePullSecrets).',
  InvalidImageName:
    'The image reference is not valid: redeploy with a repository and tag such as ghcr.io/acme/app:1.2.3.',
  FailedScheduling:
    'No node can take the pod: lower the CPU/memory requests or replicas, or ask the platform team for capacity; check node selectors and tolerations.',
  BackOff:
    'The container keeps exiting and is restarted with back-off: read its logs on the Kubernetes tab for the start-up error; check environment variables and secrets.',
  CrashLoopBackOff:
    'The container keeps crashing: read its logs on the Kubernetes tab for the start-up error; check environment variables and secrets.',
  Unhealthy:
    'A liveness or readiness probe fails: check that /health and /api/v2/ready answer 200 within 2 s on the first container port (see the health contract).',
  FailedMount:
    'A volume could not be mounted: check that every Secret and ConfigMap the deployment references exists in this namespace.',
  FailedAttachVolume:
    'A volume could not be attached: check the PersistentVolumeClaim and ask the platform team about the storage class.',
  FailedCreate:
    'The ReplicaSet could not create pods: often a ResourceQuota or LimitRange of the namespace; the message names the limit.',
  OOMKilling:
    'A container used more memory than its limit: raise resources.limits.memory or reduce the memory the service uses.',
  Evicted:
    'The pod was evicted because the node ran short of resources: set requests that match real usage.',
};

/** A suggested fix for a warning event reason, if one is known. */
export function suggestedFixFor(reason: string): string | undefined {
  return FIXES[reason];
}
