import { developmentRequest } from '../__fixtures__/requests';
import { imageReference, parseDeploymentRequest } from './request';

function errorsOf(input: unknown) {
  const result = parseDeploymentRequest(input);
  if (result.success) {
    throw new Error('expected the request to be rejected');
  }
  return result.errors;
}

describe('parseDeploymentRequest', () => {
  it('accepts a complete request and applies the defaults', () => {
    const result = parseDeploymentRequest(developmentRequest());
    expect(result.success).toBe(true);
    if (!result.success) return;
    expect(result.request.health).toEqual({
      liveness: '/health',
      readiness: '/api/v2/ready',
      info: '/api/v2/health',
    });
    expect(result.request.ports).toEqual([
      { name: 'http', containerPort: 8000 },
    ]);
  });

  it('rejects unknown fields, naming them', () => {
    expect(errorsOf({ ...developmentRequest(), priviledged: true })).toEqual([
      { field: '(request)', message: 'unknown field priviledged: remove it' },
    ]);
    expect(
      errorsOf(
        developmentRequest({
          resources: {
            requests: { cpu: '100m', memory: '128Mi', gpu: '1' } as any,
            limits: { cpu: '500m', memory: '256Mi' },
          },
        }),
      ),
    ).toEqual([
      { field: 'resources.requests', message: 'unknown field gpu: remove it' },
    ]);
  });

  it('validates namespaces as DNS-1123 labels', () => {
    expect(errorsOf(developmentRequest({ namespace: 'Payments_API' }))).toEqual(
      [
        {
          field: 'namespace',
          message:
            "namespace must be a DNS-1123 label: at most 63 lowercase letters, digits or '-', starting and ending with a letter or digit",
        },
      ],
    );
    expect(
      errorsOf(developmentRequest({ namespace: 'a'.repeat(64) })),
    ).toHaveLength(1);
  });

  it('validates resource quantities with the Kubernetes grammar', () => {
    const errors = errorsOf(
      developmentRequest({
        resources: {
          requests: { cpu: '100 millicores', memory: '128Mi' },
          limits: { cpu: '-1', memory: '1GB' },
        },
      }),
    );
    expect(errors).toEqual([
      {
        field: 'resources.requests.cpu',
        message: 'requests.cpu must be a Kubernetes quantity such as 100m',
      },
      {
        field: 'resources.limits.cpu',
        message: 'limits.cpu must be greater than zero, e.g. 500m',
      },
      {
        field: 'resources.limits.memory',
        message: 'limits.memory must be a Kubernetes quantity such as 256Mi',
      },
    ]);
  });

  it('refuses a secret literal in a secret reference and malformed env vars', () => {
    const errors = errorsOf(
      developmentRequest({
        env: [
          { name: '1BAD', value: 'x' },
          {
            name: 'SECRET_KEY',
            secretKeyRef: { name: 'payments-api', key: 'k' },
            value: 'hunter2',
          } as any,
        ],
      }),
    );
    expect(errors.map(e => e.field)).toEqual(['env[0].name', 'env[1]']);
    expect(errors[0].message).toBe(
      "must be an environment variable name: letters, digits and '_', not starting with a digit, e.g. DATABASE_URL",
    );
  });

  it('refuses an env var defined twice', () => {
    expect(
      errorsOf(
        developmentRequest({
          env: [
            { name: 'A', value: '1' },
            { name: 'A', value: '2' },
          ],
        }),
      ),
    ).toEqual([
      { field: 'env[1].name', message: 'env var A is defined twice; keep one' },
    ]);
  });

  it('requires a tag or a digest, and checks their shape', () => {
    expect(
      errorsOf(
        developmentRequest({
          image: { repository: 'ghcr.io/acme/payments-api' },
        }),
      ),
    ).toEqual([
      {
        field: 'image.tag',
        message:
          'image needs a tag or a digest, e.g. tag 1.4.2 or digest sha256:…',
      },
    ]);
    expect(
      errorsOf(
        developmentRequest({
          image: {
            repository: 'ghcr.io/acme/payments-api',
            digest: 'sha256:xyz',
          },
        }),
      ),
    ).toEqual([
      {
        field: 'image.digest',
        message:
          'must be an image digest: sha256: followed by 64 lowercase hex digits',
      },
    ]);
  });

  it('checks entity references, environment, URL and autoscaling range', () => {
    const errors = errorsOf(
      developmentRequest({
        application: 'group:default/team-payments',
        environment: 'staging' as any,
        changeReference: 'OPS-123',
        autoscaling: { minReplicas: 5, maxReplicas: 2 },
        requester: 'group:default/team-payments',
      }),
    );
    expect(errors.map(e => e.field)).toEqual([
      'application',
      'environment',
      'autoscaling.maxReplicas',
      'changeReference',
      'requester',
    ]);
    expect(errors[1].message).toBe(
      'must be one of development, test, acceptance, production',
    );
  });
});

describe('imageReference', () => {
  it('pulls by digest when there is one', () => {
    expect(
      imageReference({
        repository: 'r/a',
        tag: '1',
        digest: `sha256:${'0'.repeat(64)}`,
      }),
    ).toBe(`r/a@sha256:${'0'.repeat(64)}`);
    expect(imageReference({ repository: 'r/a', tag: '1' })).toBe('r/a:1');
  });
});
