import { DeploymentRequestInput } from '../model/request';

export const DIGEST = `sha256:${'ab12'.repeat(16)}`;

/** A request every built-in policy accepts in development. */
export function developmentRequest(
  overrides: Partial<DeploymentRequestInput> = {},
): DeploymentRequestInput {
  return {
    application: 'component:default/payments-api',
    environment: 'development',
    namespace: 'payments-api-development',
    image: { repository: 'ghcr.io/acme/payments-api', tag: '1.4.2' },
    replicas: 1,
    resources: {
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { cpu: '500m', memory: '256Mi' },
    },
    env: [
      { name: 'ENVIRONMENT', value: 'development' },
      { name: 'CORS_ORIGINS', value: 'https://shop.acme.example' },
      { name: 'ACCESS_TOKEN_EXPIRE_MINUTES', value: '30' },
      { name: 'ALGORITHM', value: 'HS256' },
      {
        name: 'SECRET_KEY',
        secretKeyRef: { name: 'payments-api', key: 'secret-key' },
      },
      {
        name: 'DATABASE_URL',
        secretKeyRef: { name: 'payments-api', key: 'database-url' },
      },
    ],
    requester: 'user:default/ada',
    ...overrides,
  };
}

/** A request every built-in policy accepts in production. */
export function productionRequest(
  overrides: Partial<DeploymentRequestInput> = {},
): DeploymentRequestInput {
  return developmentRequest({
    environment: 'production',
    namespace: 'payments-api-production',
    image: { repository: 'ghcr.io/acme/payments-api', digest: DIGEST },
    replicas: 3,
    changeReference: 'https://jira.acme.example/browse/OPS-123',
    ...overrides,
  });
}

export const OWNER = 'group:default/team-payments';

export const CLUSTER = {
  namespaces: [
    { name: 'payments-api-development', owner: 'team-payments' },
    { name: 'payments-api-production', owner: 'team-payments' },
    { name: 'orders-api-development', owner: 'team-orders' },
    { name: 'unlabelled' },
  ],
  deployedDigests: { acceptance: [DIGEST] },
  runningImages: { acceptance: [`ghcr.io/acme/payments-api:1.4.2@${DIGEST}`] },
  secrets: { 'payments-api': { application: 'payments-api' } },
};
