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
} from '@deployments-portal/backstage-plugin-deployments-common';
import { deploymentsPoliciesExtensionPoint } from '@deployments-portal/backstage-plugin-deployments-node';
import { ApprovalGate } from './approvals/ApprovalGate';
import { ApprovalService } from './approvals/ApprovalService';
import { Notifier } from './approvals/Notifier';
import { AuditLog } from './audit/AuditLog';
import { ApplicationCatalog } from './catalog/ApplicationCatalog';
import { ChangeExecutor } from './changes/ChangeExecutor';
import { ChangePlanner } from './changes/ChangePlanner';
import { ChangeRequests } from './changes/ChangeRequests';
import { Preflight } from './changes/Preflight';
import { ChangeSignals } from './changes/ChangeSignals';
import { ChangeViews } from './changes/ChangeViews';
import { ChangeWorker } from './changes/ChangeWorker';
import { HealthVerifier } from './changes/HealthVerifier';
import { readEngineSettings } from './changes/readEngineSettings';
import { createFinishedReporter } from './changes/reportFinished';
import { DriftDetector } from './drift/DriftDetector';
import { readDriftSettings } from './drift/readDriftSettings';
import { DefaultHealthService } from './health/DefaultHealthService';
import { HealthMonitor } from './health/HealthMonitor';
import { registerHealthGauges } from './health/healthMetrics';
import { readMonitorSettings } from './health/readMonitorSettings';
import { ClusterClients } from './kubernetes/ClusterClients';
import { Targets } from './kubernetes/Targets';
import { Authorizer } from './permissions/Authorizer';
import { createRouter } from './router';
import { AUDITED_PATHS } from './router/credentialsBarrier';
import { DefaultDeploymentService } from './service/DefaultDeploymentService';
import { DeploymentMetrics } from './service/metrics';
import { PolicyRegistry } from './service/PolicyRegistry';
import { ReadinessChecklist } from './readiness/ReadinessChecklist';
import { readEnvironments } from './service/readEnvironments';
import { withChangeReferenceSettings } from './service/changeReferenceSettings';
import { registryWarnings } from './service/registryWarnings';
import { ApprovalStore } from './store/ApprovalStore';
import { AuditStore } from './store/AuditStore';
import { ChangeStore } from './store/ChangeStore';
import { DeliveryStore } from './store/DeliveryStore';
import { DoraStore } from './store/DoraStore';
import { DeploymentStore } from './store/DeploymentStore';
import { DriftStore } from './store/DriftStore';
import { HealthStateStore } from './store/HealthStateStore';
import { NotificationOutboxStore } from './store/NotificationOutboxStore';
import { CostEstimator } from './cost/CostEstimator';
import { DashboardView } from './views/DashboardView';
import { InsightsView } from './views/InsightsView';
import { readDeliveryTargets } from './views/readDeliveryTargets';
import { DeploymentView } from './views/DeploymentView';
import { EntityDeploymentsView } from './views/EntityDeploymentsView';

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
        lifecycle: coreServices.lifecycle,
        auth: coreServices.auth,
        notifications: notificationService,
        cache: coreServices.cache,
      },
      async init({
        config,
        cache,
        logger,
        database,
        httpAuth,
        httpRouter,
        permissions,
        permissionsRegistry,
        catalog,
        scheduler,
        lifecycle,
        auth,
        notifications,
      }) {
        const environments = withChangeReferenceSettings(
          readEnvironments(config),
          config,
        );
        const clusters = ClusterClients.fromConfig(config, { logger });
        for (const environment of environments) {
          if (!clusters.has(environment.cluster)) {
            logger.warn(
              `Environment ${environment.name} names cluster ${environment.cluster}, which is not in kubernetes.clusterLocatorMethods; deployments there will fail until it is configured`,
            );
          }
        }
        for (const warning of registryWarnings(environments)) {
          logger.warn(warning);
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
        const engine = readEngineSettings(config);
        const targets = Targets.create({ environments, clusters });
        const authorizer = Authorizer.create({ permissions });
        const applications = ApplicationCatalog.create({ catalog, auth });
        const metrics = new DeploymentMetrics();

        const records = await DeploymentStore.create(database);
        const delivery = await DeliveryStore.create(database);
        const dora = await DoraStore.create(database);
        const changes = await ChangeStore.create(database);
        const approvalStore = await ApprovalStore.create(database);
        const audit = AuditLog.create({
          store: await AuditStore.create(database),
          logger,
        });
        const notifier = Notifier.create({
          config,
          logger,
          notifications,
          audit,
          ownerOf: async entityRef =>
            applications.ownerOf(await applications.application(entityRef)),
          outbox: await NotificationOutboxStore.create(database),
        });
        const approvals = ApprovalService.create({
          config,
          logger,
          store: approvalStore,
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

        const healthStates = await HealthStateStore.create(database);
        registerHealthGauges(healthStates, logger);
        const health = DefaultHealthService.create({
          config,
          logger,
          catalog,
          permissions,
          clusters,
          environments,
          // Shared by the replicas when backend.cache is Redis.
          cache,
          states: healthStates,
        });

        const signals = ChangeSignals.create({
          knex: changes.knex,
          logger,
          postgres: changes.isPostgres(),
        });
        const costs = CostEstimator.create({
          targets,
          records,
          catalog: applications,
        });
        const planner = ChangePlanner.create({
          catalog: applications,
          records,
          targets,
          policies,
          costs,
          ingressNamespace:
            config.getOptionalString('deployments.ingressNamespace') ??
            'ingress-nginx',
        });
        const drift = await DriftStore.create(database);
        const reportFinished = createFinishedReporter({
          records,
          drift,
          audit,
          notifier,
          approvals,
          metrics,
          logger,
        });
        const executor = ChangeExecutor.create({
          changes,
          records,
          planner,
          targets,
          logger,
          settings: engine.executor,
          verifier: HealthVerifier.create({
            settings: engine.verification,
            application: ref => applications.application(ref),
            probe: (entity, environment, namespace, signal) =>
              health.probeNow(entity, environment, namespace, signal),
            logger,
          }),
          onTransition: change => signals.notify(change.id),
          onFinished: reportFinished,
        });
        const worker = ChangeWorker.create({
          store: changes,
          executor,
          signals,
          logger,
          settings: engine.worker,
          onClaimed: change => metrics.recordClaimed(change),
        });
        lifecycle.addStartupHook(async () => {
          notifier.start();
          await signals.start();
          if (engine.workerEnabled) {
            worker.start();
          } else {
            logger.info(
              'Change worker disabled (deployments.engine.worker.enabled: false): this replica only queues changes',
            );
          }
        });
        lifecycle.addShutdownHook(async () => {
          await worker.stop();
          await signals.stop();
          // Chat messages not yet delivered wait in the outbox.
          await notifier.stop();
          // Refusals counted in the current window are written, not lost.
          await audit.flush();
        });

        const driftSettings = readDriftSettings(config);
        if (driftSettings.enabled) {
          const detector = DriftDetector.create({
            records,
            drift,
            targets,
            clusters,
            notifier,
            audit,
            logger,
          });
          await scheduler.scheduleTask({
            id: 'deployments-drift-check',
            ...driftSettings.schedule,
            fn: async () => {
              await detector.check();
            },
          });
        }

        const monitorSettings = readMonitorSettings(config);
        if (monitorSettings.enabled) {
          const monitor = HealthMonitor.create({
            records,
            states: healthStates,
            health,
            catalog: applications,
            notifier,
            logger,
            debounceSeconds: monitorSettings.debounceSeconds,
          });
          await scheduler.scheduleTask({
            id: 'deployments-health-monitor',
            ...monitorSettings.schedule,
            fn: async () => {
              await monitor.check();
            },
          });
        }

        const changeViews = ChangeViews.create({
          changes,
          signals,
          authorizer,
          audit,
          onCancelled: reportFinished,
        });
        const deploymentView = DeploymentView.create({
          records,
          targets,
          authorizer,
        });
        const deployments = DefaultDeploymentService.create({
          targets,
          authorizer,
          planner,
          requests: ChangeRequests.create({
            preflight: Preflight.create({
              planner,
              authorizer,
              records,
              targets,
              metrics,
            }),
            planner,
            records,
            changes,
            changeViews,
            deployments: deploymentView,
            catalog: applications,
            targets,
            approvals,
            audit,
            signals,
            maxQueued: engine.maxQueuedPerDeployment,
          }),
          changes: changeViews,
          approvals: ApprovalGate.create({
            approvals,
            approvalStore,
            changes,
            records,
            authorizer,
            audit,
            signals,
            maxQueued: engine.maxQueuedPerDeployment,
            costs,
          }),
          audit,
          deployments: deploymentView,
          entities: EntityDeploymentsView.create({
            records,
            targets,
            catalog: applications,
            authorizer,
            logger,
            // One budget for every live read of a page, shared with the health checks.
            liveReadTimeoutMs:
              config.getOptionalNumber('deployments.health.timeoutMs') ?? 2000,
            drift,
            healthStates,
          }),
          dashboards: DashboardView.create({
            records,
            delivery,
            catalog: applications,
            authorizer,
            environments: environments.map(e => e.name),
            drift,
            costs,
            dora,
          }),
          insights: InsightsView.create({
            records,
            dora,
            catalog: applications,
            authorizer,
            environments: environments.map(e => e.name),
            targets: readDeliveryTargets(config),
          }),
        });

        httpRouter.use(
          await createRouter({
            httpAuth,
            deployments,
            policies,
            health,
            audit,
            permissions,
            readiness: ReadinessChecklist.create({
              catalog: applications,
              authorizer,
              records,
              healthStates,
              targets,
              docsEntityRef: config.getOptionalString(
                'deployments.docs.entityRef',
              ),
              clusterTimeoutMs:
                config.getOptionalNumber('deployments.health.timeoutMs') ??
                2000,
            }),
            openApiPath: resolvePackagePath(
              '@deployments-portal/backstage-plugin-deployments-backend',
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
