import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { readApprovalsPath } from '@deployments-portal/backstage-plugin-deployments-common';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { deploymentServiceRef } from '@deployments-portal/backstage-plugin-deployments-node';
import { createDeployAction } from './actions/deploy';
import { createEnvironmentsAction } from './actions/environments';
import { createPromoteAction } from './actions/promote';
import { createValidateAction } from './actions/validate';

/**
 * Registers the `deployments:*` scaffolder actions.
 *
 * @public
 */
export const scaffolderModuleDeployments = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'deployments',
  register({ registerInit }) {
    registerInit({
      deps: {
        scaffolderActions: scaffolderActionsExtensionPoint,
        deployments: deploymentServiceRef,
        config: coreServices.rootConfig,
      },
      async init({ scaffolderActions, deployments, config }) {
        const approvalsPath = readApprovalsPath(config);
        scaffolderActions.addActions(
          createEnvironmentsAction({ deployments }),
          createValidateAction({ deployments }),
          createDeployAction({ deployments, approvalsPath }),
          createPromoteAction({ deployments, approvalsPath }),
        );
      },
    });
  },
});
