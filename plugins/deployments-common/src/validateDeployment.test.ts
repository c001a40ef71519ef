import fc from 'fast-check';
import { CLUSTER, developmentRequest, OWNER } from './__fixtures__/requests';
import { OTAP_ENVIRONMENT_NAMES } from './model/environments';
import { validateDeployment } from './validateDeployment';

const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const quantity = fc.oneof(
  fc.constantFrom(
    '100m',
    '250m',
    '1',
    '2',
    '128Mi',
    '1Gi',
    '8Gi',
    '0',
    '-1',
    '1GB',
    '',
  ),
  fc.string(),
);
const envVar = fc.oneof(
  fc.record({ name: fc.string(), value: fc.string() }),
  fc.record({
    name: fc.constantFrom(
      'SECRET_KEY',
      'JWT_SECRET',
      'DATABASE_URL',
      'PYTHON_ENV',
      'X',
    ),
    value: fc.oneof(fc.string(), fc.constant('postgresql://u:p@h/db')),
  }),
  fc.record({
    name: fc.string(),
    secretKeyRef: fc.record({ name: fc.string(), key: fc.string() }),
  }),
  fc.anything(),
);

/** Requests from plausible to absurd, including wrong types and extra keys. */
const requestLike = fc.oneof(
  fc.record(
    {
      application: fc.oneof(
        fc.constant('component:default/payments-api'),
        fc.string(),
      ),
      environment: fc.oneof(
        fc.constantFrom(...OTAP_ENVIRONMENT_NAMES),
        fc.string(),
      ),
      namespace: fc.oneof(
        fc.constantFrom(
          'payments-api-development',
          'kube-system',
          'orders-api-development',
        ),
        fc.string(),
      ),
      name: maybe(fc.string()),
      image: fc.oneof(
        fc.record(
          {
            repository: fc.oneof(
              fc.constant('ghcr.io/acme/payments-api'),
              fc.string(),
            ),
            tag: maybe(
              fc.oneof(
                fc.constantFrom('1.4.2', 'latest', '_x', '-'),
                fc.string(),
              ),
            ),
            digest: maybe(
              fc.oneof(fc.constant(`sha256:${'a'.repeat(64)}`), fc.string()),
            ),
          },
          { requiredKeys: ['repository'] },
        ),
        fc.anything(),
      ),
      replicas: fc.oneof(
        fc.integer({ min: -5, max: 200 }),
        fc.double(),
        fc.anything(),
      ),
      resources: fc.oneof(
        fc.record({
          requests: fc.record({ cpu: quantity, memory: quantity }),
          limits: fc.record({ cpu: quantity, memory: quantity }),
        }),
        fc.anything(),
      ),
      env: fc.oneof(fc.array(envVar, { maxLength: 8 }), fc.anything()),
      ports: maybe(
        fc.array(
          fc.record({
            name: fc.string(),
            containerPort: fc.integer({ min: -1, max: 70000 }),
          }),
          { maxLength: 3 },
        ),
      ),
      autoscaling: maybe(
        fc.record({
          minReplicas: fc.integer({ min: -1, max: 30 }),
          maxReplicas: fc.integer({ min: -1, max: 30 }),
        }),
      ),
      changeReference: maybe(fc.oneof(fc.webUrl(), fc.string())),
      requester: fc.oneof(fc.constant('user:default/ada'), fc.string()),
      extra: maybe(fc.anything()),
    },
    { requiredKeys: [] },
  ),
  fc.anything(),
);

describe('validateDeployment', () => {
  it('never throws and always yields either errors or a render with violations', () => {
    expect(() =>
      fc.assert(
        fc.property(requestLike, input => {
          const result = validateDeployment(input, {
            owner: OWNER,
            cluster: CLUSTER,
          });
          // fast-check reports the counterexample when this returns false.
          if ('errors' in result) {
            return (
              result.valid === false &&
              result.errors.length > 0 &&
              result.errors.every(
                e => typeof e.field === 'string' && e.message.length > 0,
              )
            );
          }
          return (
            result.manifests.length >= 5 &&
            result.valid ===
              !result.violations.some(v => v.severity === 'error')
          );
        }),
        { numRuns: 2000 },
      ),
    ).not.toThrow();
  });

  it('renders valid label values for any accepted tag', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[\w][\w.-]{0,127}$/), tag => {
        const result = validateDeployment(
          developmentRequest({
            image: { repository: 'ghcr.io/acme/payments-api', tag },
          }),
          { owner: OWNER, cluster: CLUSTER },
        );
        if ('errors' in result) throw new Error(JSON.stringify(result.errors));
        const version =
          result.manifests[0].metadata!.labels!['app.kubernetes.io/version'];
        expect(version).toMatch(/^[A-Za-z0-9]([\w.-]{0,61}[A-Za-z0-9])?$/);
      }),
    );
  });

  it('accepts the example request with no violations', () => {
    const result = validateDeployment(developmentRequest(), {
      owner: OWNER,
      cluster: CLUSTER,
    });
    expect(result).toMatchObject({ valid: true, violations: [] });
  });
});
