import {
  coreServices,
  createBackendPlugin,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import {
  deploymentsPermissions,
  Policy,
} from '@internal/backstage-plugin-deployments-common';
import { deploymentsPoliciesExtensionPoint } from '@internal/backstage-plugin-deployments-node';
import { ClusterClients } from './kubernetes/ClusterClients';
import { createRouter } from './router';
import { DefaultDeploymentService } from './service/DefaultDeploymentService';
import { PolicyRegistry } from './service/PolicyRegistry';
import { readEnvironments } from './service/readEnvironments';
import { DeploymentStore } from './store/DeploymentStore';

/**
 * The deployments backend plugin: the deployment API of the suite.
 *
 * @public
 */
export const deploymentsPlugin = createBackendPlugin({
  pluginId: 'deployments',
  register(env) {
    const addedPolicies: Policy[] = [];
    env.registerExtensionPoint(deploymentsPoliciesExtensionPoint, {
      addPolicies(...policies) {
        addedPolicies.push(...policies);
      },
    });

    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        catalog: catalogServiceRef,
      },
      async init({
        config,
        logger,
        database,
        httpAuth,
        httpRouter,
        permissions,
        permissionsRegistry,
        catalog,
      }) {
        const environments = readEnvironments(config);
        const clusters = ClusterClients.fromConfig(config);
        for (const environment of environments) {
          if (!clusters.has(environment.cluster)) {
            logger.warn(
              `Environment ${environment.name} names cluster ${environment.cluster}, which is not in kubernetes.clusterLocatorMethods; deployments there will fail until it is configured`,
            );
          }
        }
        logger.info('Deployment environments configured', {
          environments: environments
            .map(e => `${e.name}=${e.cluster}`)
            .join(', '),
        });

        const policies = PolicyRegistry.create({
          environments,
          added: addedPolicies,
        });
        permissionsRegistry.addPermissions(deploymentsPermissions);
        const store = await DeploymentStore.create(database);
        const deployments = DefaultDeploymentService.create({
          config,
          logger,
          catalog,
          permissions,
          store,
          clusters,
          environments,
          policies,
        });

        httpRouter.use(
          await createRouter({
            httpAuth,
            deployments,
            policies,
            openApiPath: resolvePackagePath(
              '@internal/backstage-plugin-deployments-backend',
              'openapi.yaml',
            ),
          }),
        );
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
      },
    });
  },
});
