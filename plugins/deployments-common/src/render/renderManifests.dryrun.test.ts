import {
  CoreV1Api,
  KubernetesObjectApi,
  PatchStrategy,
} from '@kubernetes/client-node';
// eslint-disable-next-line @backstage/no-mixed-plugin-imports -- test only: the real API server
import { getTestCluster, kubeConfigFor } from '@internal/kube-sim';
import {
  developmentRequest,
  OWNER,
  productionRequest,
} from '../__fixtures__/requests';
import {
  DeploymentRequestInput,
  parseDeploymentRequest,
} from '../model/request';
import { FIELD_MANAGER, renderManifests } from './renderManifests';

// The rendered objects against the real API server (kube-sim): server-side
// apply in dry-run mode runs defaulting, validation and admission without
// persisting anything.
jest.setTimeout(120_000);

const cluster = getTestCluster();
const kc = kubeConfigFor(cluster);
const objects = KubernetesObjectApi.makeApiClient(kc);

// The test cluster is shared by every package's tests: own namespaces only.
const NAMESPACES = {
  development: 'render-dryrun-development',
  production: 'render-dryrun-production',
} as const;

function render(input: DeploymentRequestInput) {
  const parsed = parseDeploymentRequest({
    ...input,
    namespace: NAMESPACES[input.environment as keyof typeof NAMESPACES],
  });
  if (!parsed.success) throw new Error(JSON.stringify(parsed.errors));
  return renderManifests(parsed.request, { owner: OWNER });
}

function dryRunApply(manifest: object) {
  return objects.patch(
    manifest as any,
    undefined,
    'All',
    FIELD_MANAGER,
    true,
    PatchStrategy.ServerSideApply,
  );
}

describe('rendered manifests on the real API server', () => {
  beforeAll(async () => {
    const core = kc.makeApiClient(CoreV1Api);
    for (const name of Object.values(NAMESPACES)) {
      await core.createNamespace({ body: { metadata: { name } } });
    }
  });

  it.each([
    ['development', developmentRequest()],
    [
      'production with autoscaling',
      productionRequest({ autoscaling: { minReplicas: 3, maxReplicas: 6 } }),
    ],
  ])('accepts every object rendered for %s', async (_name, input) => {
    const manifests = render(input);
    for (const manifest of manifests) {
      const accepted = await dryRunApply(manifest);
      expect(accepted.kind).toBe(manifest.kind);
      expect(accepted.metadata?.namespace).toBe(manifest.metadata?.namespace);
    }
    // Dry run: none of the objects was stored, in the namespace of this case.
    for (const manifest of manifests) {
      const error = await objects.read(manifest as any).catch(e => e);
      expect({ kind: manifest.kind, code: error?.code }).toEqual({
        kind: manifest.kind,
        code: 404,
      });
    }
  });

  it('really validates: a broken object is refused with the field', async () => {
    const deployment = render(developmentRequest()).find(
      m => m.kind === 'Deployment',
    ) as any;
    deployment.spec.replicas = -1;
    const error = await dryRunApply(deployment).catch(e => e);
    expect(error.code).toBe(422);
    expect(String(error.body)).toContain('spec.replicas');
  });
});
