import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { createRouter } from './router';
import { readEnvironments } from './service/readEnvironments';

/**
 * The deployments backend plugin: the deployment API of the suite.
 *
 * @public
 */
export const deploymentsPlugin = createBackendPlugin({
  pluginId: 'deployments',
  register(env) {
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

        httpRouter.use(await createRouter({ httpAuth, environments }));
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
      },
    });
  },
});
