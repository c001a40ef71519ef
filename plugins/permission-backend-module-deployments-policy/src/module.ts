import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { DeploymentsPermissionPolicy } from './policy/DeploymentsPermissionPolicy';

/**
 * The deployments portal's permission policy (RBAC), replacing Backstage's
 * allow-all policy.
 *
 * @public
 */
export const permissionModuleDeploymentsPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'deployments-policy',
  register(reg) {
    reg.registerInit({
      deps: {
        policy: policyExtensionPoint,
        config: coreServices.rootConfig,
        userInfo: coreServices.userInfo,
        logger: coreServices.logger,
      },
      async init({ policy, config, userInfo, logger }) {
        const deploymentsPolicy = DeploymentsPermissionPolicy.fromConfig(
          config,
          { userInfo },
        );
        policy.setPolicy(deploymentsPolicy);
        logger.info('Deployments permission policy in effect', {
          adminGroup: deploymentsPolicy.adminGroupRef,
          releaseManagerGroup: deploymentsPolicy.releaseManagerGroupRef,
        });
      },
    });
  },
});
