import {
  coreServices,
  createBackendPlugin,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import {
  deploymentsPermissions,
  Policy,
} from '@internal/backstage-plugin-deployments-common';
import { deploymentsPoliciesExtensionPoint } from '@internal/backstage-plugin-deployments-node';
import { ClusterClients } from './kubernetes/ClusterClients';
import { DefaultHealthService } from './health/DefaultHealthService';
import { createRouter } from './router';
import { AUDITED_PATHS } from './governanceRouter';
import { DefaultDeploymentService } from './service/DefaultDeploymentService';
import { PolicyRegistry } from './service/PolicyRegistry';
import { readEnvironments } from './service/readEnvironments';
import { DeploymentStore } from './store/DeploymentStore';
import { ApprovalStore } from './store/ApprovalStore';
import { AuditStore } from './store/AuditStore';
import { ApprovalService } from './service/ApprovalService';
import { AuditLog } from './service/AuditLog';
import { Notifier } from './service/Notifier';

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
        scheduler: coreServices.scheduler,
        notifications: notificationService,
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
        scheduler,
        notifications,
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
        const audit = AuditLog.create({
          store: await AuditStore.create(database),
          logger,
        });
        const notifier = Notifier.create({ config, logger, notifications });
        const approvals = ApprovalService.create({
          config,
          logger,
          store: await ApprovalStore.create(database),
          audit,
          notifier,
        });
        // Pending requests live in the database, so any instance may expire
        // them; the scheduler runs the task on one instance at a time.
        await scheduler.scheduleTask({
          id: 'deployments-expire-approvals',
          frequency: { minutes: 5 },
          timeout: { minutes: 2 },
          initialDelay: { seconds: 30 },
          fn: async () => {
            await approvals.expireOverdue();
          },
        });
        const deployments = DefaultDeploymentService.create({
          config,
          logger,
          catalog,
          permissions,
          store,
          clusters,
          environments,
          policies,
          governance: { approvals, audit, notifier },
        });

        const health = DefaultHealthService.create({
          config,
          logger,
          catalog,
          permissions,
          clusters,
          environments,
        });

        httpRouter.use(
          await createRouter({
            httpAuth,
            deployments,
            policies,
            health,
            audit,
            openApiPath: resolvePackagePath(
              '@internal/backstage-plugin-deployments-backend',
              'openapi.yaml',
            ),
          }),
        );
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
        // The router checks credentials on these itself (requireCredentials),
        // so that a refused change is recorded in the audit trail.
        for (const path of AUDITED_PATHS) {
          httpRouter.addAuthPolicy({ path, allow: 'unauthenticated' });
        }
      },
    });
  },
});
