import { KubeConfig } from '@kubernetes/client-node';
import https from 'node:https';
import { Check, CheckContext, ProbeOutcome } from './checkTypes';
import { httpGet, HttpAnswer } from './httpGet';
import { joinUrl, probeContract, unreachableContract } from './probeContract';
import { redact } from './redact';

/**
 * Through `/api/v1/namespaces/<ns>/services/<id>:<port>/proxy/…` of the
 * environment's cluster, with the portal's credentials for that cluster.
 * The API server is configured, not taken from the catalog, so the target
 * guard does not apply; the API server decides where the service is.
 */
export async function probeThroughServiceProxy(
  context: CheckContext,
  check: Check,
): Promise<ProbeOutcome> {
  const { environment, namespace, kubernetesId, settings, signal, budgetMs } =
    check;
  let kubeConfig: KubeConfig;
  try {
    kubeConfig = context.clusters.kubeConfig(environment.cluster);
  } catch (error) {
    return { probeError: (error as Error).message };
  }
  const since = check.refresh
    ? undefined
    : await context.unreachable.recall(
        `cluster:${environment.cluster}:${budgetMs}`,
      );
  const server = redact(new URL(kubeConfig.getCurrentCluster()!.server));
  const target = `${server.replace(
    /\/+$/,
    '',
  )}/api/v1/namespaces/${encodeURIComponent(
    namespace,
  )}/services/${encodeURIComponent(kubernetesId)}:${encodeURIComponent(
    settings.servicePort,
  )}/proxy`;
  if (since) {
    return {
      target,
      probes: unreachableContract(
        target,
        `the API server did not answer within ${budgetMs} ms (${context.unreachable.describe(
          since,
        )})`,
      ),
    };
  }
  const probes = await probeContract({
    environment: environment.name,
    displayUrl: target,
    fetch: async (path, s) => {
      const requestOptions: https.RequestOptions = {};
      await kubeConfig.applyToHTTPSOptions(requestOptions);
      return httpGet(new URL(joinUrl(target, path)), {
        signal: s,
        requestOptions,
      });
    },
    intermediary: apiServerFailure,
    limiter: context.limiter,
    signal,
    budgetMs,
  });
  return { target, probes };
}

/**
 * A failure the API server's proxy answered itself (a Kubernetes Status
 * object: no endpoints, service missing, proxy forbidden) rather than the
 * service, in words.
 */
function apiServerFailure(answer: HttpAnswer): string | undefined {
  if (answer.status < 400) return undefined;
  let status: { kind?: unknown; apiVersion?: unknown; message?: unknown };
  try {
    status = JSON.parse(answer.body);
  } catch {
    return undefined;
  }
  if (status?.kind !== 'Status' || status.apiVersion !== 'v1') {
    return undefined;
  }
  const text = String(status.message ?? `HTTP ${answer.status}`);
  const message = text.length > 300 ? `${text.slice(0, 300)}…` : text;
  if (answer.status === 401 || answer.status === 403) {
    return `the API server refused the service proxy (${answer.status}): ${message}; the portal's service account needs 'get' on services/proxy in this namespace`;
  }
  return `the API server's service proxy answered ${answer.status}: ${message}`;
}
