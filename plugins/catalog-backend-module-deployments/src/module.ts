import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { EnvironmentEntityProvider } from './provider/EnvironmentEntityProvider';
import { DeploymentAnnotationsProcessor } from './processor/DeploymentAnnotationsProcessor';

/**
 * Catalog support for the deployments suite.
 *
 * @public
 */
export const catalogModuleDeployments = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'deployments',
  register(reg) {
    reg.registerInit({
      deps: {
        catalog: catalogProcessingExtensionPoint,
        config: coreServices.rootConfig,
      },
      async init({ catalog, config }) {
        catalog.addProcessor(new DeploymentAnnotationsProcessor());
        catalog.addEntityProvider(EnvironmentEntityProvider.fromConfig(config));
      },
    });
  },
});
