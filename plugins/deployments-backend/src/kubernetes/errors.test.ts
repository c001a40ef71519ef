import { mapKubernetesError } from './errors';

const where = {
  cluster: 'local-nonprod',
  namespace: 'payments-api-development',
  what: 'apply Deployment/payments-api',
};

function apiError(code: number, status: object) {
  return Object.assign(new Error(`HTTP-Code: ${code}`), {
    code,
    body: JSON.stringify(status),
  });
}

describe('mapKubernetesError', () => {
  it('maps 403 to NotAllowedError with the cluster and namespace', () => {
    const error = mapKubernetesError(
      apiError(403, {
        message:
          'deployments.apps is forbidden: User "system:serviceaccount:backstage-system:backstage-portal" cannot patch',
      }),
      where,
    );
    expect(error.name).toBe('NotAllowedError');
    expect(error.message).toBe(
      'Kubernetes refused: deployments.apps is forbidden: User "system:serviceaccount:backstage-system:backstage-portal" cannot patch (apply Deployment/payments-api in cluster local-nonprod, namespace payments-api-development); the portal\'s service account lacks the rights - ask the platform team',
    );
  });

  it('maps 422 to InputError naming the invalid fields', () => {
    const error = mapKubernetesError(
      apiError(422, {
        message: 'Deployment.apps "x" is invalid',
        details: {
          causes: [
            {
              field: 'spec.replicas',
              message: 'Invalid value: -1: must be greater than or equal to 0',
            },
          ],
        },
      }),
      where,
    );
    expect(error.name).toBe('InputError');
    expect(error.message).toContain(
      'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    );
  });

  it('maps 404 and 409', () => {
    expect(
      mapKubernetesError(
        apiError(404, { message: 'namespaces "x" not found' }),
        where,
      ).name,
    ).toBe('NotFoundError');
    expect(
      mapKubernetesError(apiError(409, { message: 'conflict' }), where).name,
    ).toBe('ConflictError');
  });

  it('maps connection failures to ServiceUnavailableError', () => {
    const refused = Object.assign(new TypeError('fetch failed'), {
      cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:16443'), {
        code: 'ECONNREFUSED',
      }),
    });
    const error = mapKubernetesError(refused, where);
    expect(error.name).toBe('ServiceUnavailableError');
    expect(error.message).toBe(
      'Cluster local-nonprod is unreachable (ECONNREFUSED) while trying to apply Deployment/payments-api in cluster local-nonprod, namespace payments-api-development',
    );
  });
});
