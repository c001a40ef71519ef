import { ConfigReader } from '@backstage/config';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClusterClients } from './ClusterClients';

function clientsFor(
  cluster: Record<string, unknown>,
  inClusterTokenPath = '/nonexistent/serviceaccount/token',
) {
  return ClusterClients.fromConfig(
    new ConfigReader({
      kubernetes: {
        clusterLocatorMethods: [
          {
            type: 'config',
            clusters: [
              {
                name: 'prod',
                url: 'https://prod.example.com:6443',
                ...cluster,
              },
            ],
          },
        ],
      },
    }),
    { inClusterTokenPath },
  );
}

/** The Authorization header a request to the cluster carries. */
async function authorization(clients: ClusterClients) {
  const init = await clients.kubeConfig('prod').applyToFetchOptions({});
  return (init.headers as unknown as Headers).get('authorization');
}

describe('ClusterClients', () => {
  it("authenticates through the Kubernetes plugin's serviceAccount strategy", async () => {
    const clients = clientsFor({
      authProvider: 'serviceAccount',
      serviceAccountToken: 'token-from-config',
    });
    await expect(authorization(clients)).resolves.toBe(
      'Bearer token-from-config',
    );
  });

  it('takes the authMetadata block over the plain keys, as the Kubernetes plugin does', async () => {
    const clients = clientsFor({
      authProvider: 'serviceAccount',
      serviceAccountToken: 'plain',
      authMetadata: { serviceAccountToken: 'from-block' },
    });
    await expect(authorization(clients)).resolves.toBe('Bearer from-block');
  });

  it("uses the pod's own service account token when none is configured", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sa-'));
    const tokenPath = join(dir, 'token');
    writeFileSync(tokenPath, 'projected-token\n');
    const clients = clientsFor({ authProvider: 'serviceAccount' }, tokenPath);
    await expect(authorization(clients)).resolves.toBe(
      'Bearer projected-token',
    );
  });

  it('says how to fix a serviceAccount cluster without a token outside a pod', async () => {
    const clients = clientsFor({ authProvider: 'serviceAccount' });
    await expect(authorization(clients)).rejects.toThrow(
      /^Cluster prod: no credentials from its auth provider 'serviceAccount' \(ENOENT: no such file or directory, open '\/nonexistent\/serviceaccount\/token'\); set serviceAccountToken, or run the backend in a pod with a service account/,
    );
  });

  it('refuses auth providers that need the signed-in user, naming the ones that work', () => {
    for (const authProvider of ['oidc', 'google', 'aks']) {
      expect(() => clientsFor({ authProvider }).kubeConfig('prod')).toThrow(
        `Cluster prod uses authProvider '${authProvider}', which needs the signed-in user's own token; deployments run in the background and need one of serviceAccount, aws, azure, googleServiceAccount`,
      );
    }
    expect(() => clientsFor({}).kubeConfig('prod')).toThrow(
      'Cluster prod has no authProvider: set one of serviceAccount, aws, azure, googleServiceAccount in kubernetes.clusterLocatorMethods',
    );
    expect(() => clientsFor({}).kubeConfig('nowhere')).toThrow(
      'Cluster nowhere is not configured',
    );
  });
});
