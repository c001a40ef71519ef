import { EntityReadiness } from '@deployments-portal/backstage-plugin-deployments-common';

export const EDIT_URL =
  'https://github.com/acme/payments-api/edit/main/catalog-info.yaml';

/** A checklist with two gaps and one item that could not be told. */
export function readinessWithGaps(): EntityReadiness {
  return {
    entityRef: 'component:default/payments-api',
    score: { passed: 4, total: 7 },
    items: [
      {
        id: 'owner',
        title: 'Owner',
        status: 'ok',
        detail: 'Owned by group:default/team-payments',
      },
      {
        id: 'image-annotation',
        title: 'Image annotation',
        status: 'ok',
        detail: 'deployments/image: ghcr.io/acme/payments-api',
      },
      {
        id: 'health',
        title: 'Health contract',
        status: 'unknown',
        detail: 'Not checked yet in production',
        fix: {
          title: 'The health contract',
          url: '/docs/default/component/deployments-portal/health-contract/',
        },
      },
      {
        id: 'api-docs',
        title: 'API documentation',
        status: 'ok',
        detail: 'Provides api:default/payments-api',
      },
      {
        id: 'techdocs',
        title: 'TechDocs',
        status: 'ok',
        detail: 'backstage.io/techdocs-ref: dir:.',
      },
      {
        id: 'runbook',
        title: 'Runbook',
        status: 'missing',
        detail:
          'No runbook link; add one to catalog-info.yaml (metadata.links, type or title runbook)',
        fix: {
          title: 'Add a runbook link to catalog-info.yaml',
          url: EDIT_URL,
        },
      },
      {
        id: 'secrets',
        title: 'Secrets',
        status: 'missing',
        detail:
          'Missing: Secret payments-db in namespace payments-api-production (production)',
        fix: {
          title: 'Secrets of a deployment',
          url: '/docs/default/component/deployments-portal/policies/#secret-exists',
        },
      },
    ],
  };
}
