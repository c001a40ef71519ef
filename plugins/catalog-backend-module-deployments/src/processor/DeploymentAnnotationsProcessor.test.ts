import { Entity } from '@backstage/catalog-model';
import { DeploymentAnnotationsProcessor } from './DeploymentAnnotationsProcessor';

const location = {
  type: 'url',
  target: 'https://example.com/catalog-info.yaml',
};

function component(annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'payments-api', annotations },
    spec: {
      type: 'service',
      owner: 'group:team-payments',
      lifecycle: 'production',
    },
  };
}

describe('DeploymentAnnotationsProcessor', () => {
  const processor = new DeploymentAnnotationsProcessor();

  it('emits an input error naming the bad annotation', async () => {
    const emit = jest.fn();
    const entity = component({
      'deployments/image': 'acme/payments:1.0',
      'backstage.io/kubernetes-id': 'payments-api',
    });

    await expect(
      processor.postProcessEntity(entity, location, emit),
    ).resolves.toBe(entity);

    expect(emit).toHaveBeenCalledTimes(1);
    expect(emit.mock.calls[0][0]).toMatchObject({
      type: 'error',
      location,
      error: {
        name: 'InputError',
        message: expect.stringContaining(
          "deployments/image 'acme/payments:1.0'",
        ),
      },
    });
  });

  it('emits nothing for valid annotations', async () => {
    const emit = jest.fn();
    await processor.postProcessEntity(
      component({
        'deployments/image': 'ghcr.io/acme/payments-api',
        'backstage.io/kubernetes-id': 'payments-api',
        'deployments/health-url': 'http://127.0.0.1:18081',
      }),
      location,
      emit,
    );
    expect(emit).not.toHaveBeenCalled();
  });
});
