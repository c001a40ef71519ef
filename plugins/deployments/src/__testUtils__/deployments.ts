import { Entity } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import {
  DeploymentChange,
  DeploymentDetails,
  DeploymentRecord,
  EnvironmentName,
} from '@deployments-portal/backstage-plugin-deployments-common';

// Test data shaped like the backend's answers (views.ts). Fresh objects per
// call: material-table writes into the rows it is given.

export const ENTITY_REF = 'component:default/payments-api';

export function deployableEntity(): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'payments-api',
      namespace: 'default',
      annotations: {
        'deployments/image': 'ghcr.io/acme/payments-api',
        'backstage.io/kubernetes-id': 'payments-api',
      },
    },
    spec: { type: 'service', lifecycle: 'production', owner: 'team-payments' },
  };
}

export const DIGEST = `sha256:${'4f'.repeat(32)}`;

export function record(
  environment: EnvironmentName,
  overrides: Partial<DeploymentRecord> = {},
): DeploymentRecord {
  const namespace = `payments-api-${environment}`;
  const revision = overrides.revision ?? 3;
  return {
    id: `${environment}-${revision}`,
    entityRef: ENTITY_REF,
    environment,
    namespace,
    name: 'payments-api',
    revision,
    action: 'deploy',
    status: 'succeeded',
    request: {
      application: ENTITY_REF,
      environment,
      namespace,
      image: { repository: 'ghcr.io/acme/payments-api', tag: '1.4.2' },
      replicas: 2,
      resources: {
        requests: { cpu: '100m', memory: '128Mi' },
        limits: { cpu: '500m', memory: '256Mi' },
      },
      env: [],
      ports: [{ name: 'http', containerPort: 8000 }],
      health: {
        liveness: '/health',
        readiness: '/api/v2/ready',
        info: '/api/v2/health',
      },
      requester: 'user:default/ada',
    },
    image: 'ghcr.io/acme/payments-api:1.4.2',
    digest: DIGEST,
    requester: 'user:default/ada',
    changeReference: 'https://jira.acme.example/browse/OPS-42',
    statusHistory: [{ status: 'succeeded', at: '2026-11-20T10:01:00Z' }],
    createdAt: '2026-11-20T10:00:00Z',
    finishedAt: '2026-11-20T10:01:30Z',
    ...overrides,
  } as DeploymentRecord;
}

/** A change as a mutating call or GET /changes/{id} answers it. */
export function change(
  environment: EnvironmentName,
  overrides: Partial<DeploymentChange> = {},
): DeploymentChange {
  const base = record(environment, overrides);
  return {
    attempts: 1,
    links: { self: `/changes/${base.id}` },
    ...base,
    ...overrides,
  };
}

export function running(
  environment: EnvironmentName,
  overrides: Partial<DeploymentRecord> = {},
): DeploymentDetails {
  return {
    record: record(environment, overrides),
    live: {
      exists: true,
      image: 'ghcr.io/acme/payments-api:1.4.2',
      replicas: 2,
      readyReplicas: 2,
      updatedReplicas: 2,
      availableReplicas: 2,
      conditions: [
        {
          type: 'Available',
          status: 'True',
          reason: 'MinimumReplicasAvailable',
        },
      ],
    },
  };
}

/** A ResponseError as the client throws it for a backend error answer. */
export async function responseError(
  status: number,
  name: string,
  message: string,
): Promise<ResponseError> {
  return ResponseError.fromResponse(
    new Response(
      JSON.stringify({
        error: { name, message },
        response: { statusCode: status },
      }),
      { status, headers: { 'content-type': 'application/json' } },
    ),
  );
}
