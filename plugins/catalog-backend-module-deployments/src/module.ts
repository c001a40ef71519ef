import { createBackendModule } from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
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
      deps: { catalog: catalogProcessingExtensionPoint },
      async init({ catalog }) {
        catalog.addProcessor(new DeploymentAnnotationsProcessor());
      },
    });
  },
});
