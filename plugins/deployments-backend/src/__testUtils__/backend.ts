import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { Knex } from 'knex';
import { deploymentsPlugin } from '../plugin';
import { serviceAccountCluster } from './kube';

/**
 * The deployments plugin in a test backend against one real cluster
 * (`test-cluster`, every configured environment on it), on the given
 * database, with the catalog's `entities`. `deployments` is merged into the
 * plugin's config (environments, rollout, engine, …).
 */
export async function startDeploymentsBackend(options: {
  cluster: { url: string; token: string; ca: string };
  knex: Knex;
  entities: Entity[];
  deployments?: Record<string, unknown>;
  deny?: boolean;
  /** Backstage's own scheduler (runs tasks on their schedule) instead of the mock. */
  realScheduler?: boolean;
}) {
  return startTestBackend({
    features: [
      deploymentsPlugin,
      ...(options.realScheduler ? [schedulerServiceFactory] : []),
      catalogServiceMock.factory({ entities: options.entities }),
      mockServices.database.factory({ knex: options.knex }),
      ...(options.deny
        ? [mockServices.permissions.factory({ result: AuthorizeResult.DENY })]
        : []),
      mockServices.rootConfig.factory({
        data: {
          kubernetes: {
            clusterLocatorMethods: [
              {
                type: 'config',
                clusters: [
                  serviceAccountCluster({
                    name: 'test-cluster',
                    ...options.cluster,
                  }),
                ],
              },
            ],
          },
          deployments: {
            rollout: { timeoutSeconds: 30 },
            environments: { development: { cluster: 'test-cluster' } },
            ...options.deployments,
          },
        },
      }),
    ],
  });
}
