import { Entity } from '@backstage/catalog-model';

/** A service component in the default namespace, owned by `owner`. */
export function component(name: string, owner: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default' },
    spec: { type: 'service', owner, lifecycle: 'production' },
  };
}

/** The resources the test deployments ask for (a fresh object per call). */
export function smallResources() {
  return {
    requests: { cpu: '100m', memory: '128Mi' },
    limits: { cpu: '500m', memory: '256Mi' },
  };
}
