import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { createRouter } from './router';
import { Policy } from '@internal/backstage-plugin-deployments-common';
import { deploymentsPoliciesExtensionPoint } from '@internal/backstage-plugin-deployments-node';
import { PolicyRegistry } from './service/PolicyRegistry';
import { readEnvironments } from './service/readEnvironments';

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
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
      },
      async init({ config, logger, httpAuth, httpRouter }) {
        const environments = readEnvironments(config);
        logger.info('Deployment environments configured', {
          environments: environments
            .map(e => `${e.name}=${e.cluster}`)
            .join(', '),
        });

        const policies = PolicyRegistry.create({
          environments,
          added: addedPolicies,
        });

        httpRouter.use(
          await createRouter({ httpAuth, environments, policies }),
        );
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
      },
    });
  },
});
