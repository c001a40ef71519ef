import {
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import {
  DeploymentDrift,
  DeploymentRecord,
  EntityDeployments,
  EnvironmentDeployments,
  LiveDeploymentState,
  namespaceFor,
  nextEnvironment,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { ApplicationCatalog } from '../catalog/ApplicationCatalog';
import { KubernetesDeployer } from '../kubernetes/KubernetesDeployer';
import { Targets } from '../kubernetes/Targets';
import { Authorizer } from '../permissions/Authorizer';
import { EnvironmentConfig } from '../service/readEnvironments';
import { DeploymentStore } from '../store/DeploymentStore';
import { DriftStore, StoredDrift } from '../store/DriftStore';
import { HealthStateStore } from '../store/HealthStateStore';
import { readLive } from './DeploymentView';
import { readableEntity } from './readableEntity';

/** The drift of a deployment as answers show it (without its key). */
export function driftView(drift: StoredDrift): DeploymentDrift {
  return {
    revision: drift.revision,
    detectedAt: drift.detectedAt,
    checkedAt: drift.checkedAt,
    fields: drift.fields,
    moreFields: drift.moreFields,
  };
}

/** A promise that resolves after `ms`, and a way to stop its timer. */
function deadline(ms: number) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<void>(resolve => {
    timer = setTimeout(resolve, ms);
  });
  return { expired, clear: () => clearTimeout(timer) };
}

/**
 * The Deployments tab of an application: every configured environment in
 * the configured order with the application's deployments there and what the cluster
 * runs, read in parallel under one time budget for the page (a cluster that
 * does not answer costs its own environment, never the others).
 */
export class EntityDeploymentsView {
  static create(options: {
    records: DeploymentStore;
    targets: Targets;
    catalog: ApplicationCatalog;
    authorizer: Authorizer;
    logger: LoggerService;
    liveReadTimeoutMs: number;
    /** What the drift check found, shown with each deployment. */
    drift?: DriftStore;
    /** What the health monitor last saw, shown per environment. */
    healthStates?: HealthStateStore;
  }): EntityDeploymentsView {
    return new EntityDeploymentsView(options);
  }

  private constructor(
    private readonly options: Parameters<
      typeof EntityDeploymentsView.create
    >[0],
  ) {}

  async listForEntity(
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<EntityDeployments> {
    const { entity, canonical } = await readableEntity(
      entityRef,
      credentials,
      this.options,
    );
    const [records, drifts, health] = await Promise.all([
      this.options.records.listLatest({ entityRef: canonical }),
      this.options.drift?.list({ entityRefs: [canonical] }) ?? [],
      this.options.healthStates?.states(canonical) ?? [],
    ]);
    const budget = deadline(this.options.liveReadTimeoutMs);
    try {
      const environments = await Promise.all(
        this.options.targets.environments.map(environment =>
          this.environmentDeployments(
            environment,
            entity.metadata.name,
            records.filter(r => r.environment === environment.name),
            budget.expired,
          ),
        ),
      );
      for (const environment of environments) {
        const seen = health.find(
          h => h.environment === environment.environment,
        );
        if (seen) {
          environment.health = {
            state: seen.state,
            since: seen.since,
            checkedAt: seen.checkedAt,
          };
        }
        for (const deployment of environment.deployments) {
          const found = drifts.find(
            d =>
              d.environment === deployment.record.environment &&
              d.namespace === deployment.record.namespace &&
              d.name === deployment.record.name,
          );
          if (found) deployment.drift = driftView(found);
        }
      }
      return { entityRef: canonical, environments };
    } finally {
      budget.clear();
    }
  }

  private async environmentDeployments(
    environment: EnvironmentConfig,
    application: string,
    records: DeploymentRecord[],
    expired: Promise<void>,
  ): Promise<EnvironmentDeployments> {
    const next = nextEnvironment(
      environment.name,
      this.options.targets.environments.map(e => e.name),
    );
    const view: EnvironmentDeployments = {
      environment: environment.name,
      cluster: environment.cluster,
      namespace: namespaceFor(application, environment),
      requiresApproval: environment.requiresApproval,
      ...(next ? { next } : {}),
      deployments: [],
    };
    if (records.length === 0) {
      return view;
    }
    let deployer: KubernetesDeployer;
    try {
      deployer = this.options.targets.deployer(environment);
    } catch (error) {
      const message = (error as Error).message;
      view.error = message;
      view.deployments = records.map(record => ({
        record,
        live: { exists: false, error: message },
      }));
      return view;
    }
    const timedOut = `Cluster ${environment.cluster} did not answer within ${this.options.liveReadTimeoutMs} ms`;
    const lives = await Promise.all(
      records.map(record =>
        Promise.race([
          readLive(deployer, record),
          expired.then(
            (): LiveDeploymentState => ({ exists: false, error: timedOut }),
          ),
        ]),
      ),
    );
    view.deployments = records.map((record, i) => ({
      record,
      live: lives[i],
    }));
    if (lives.every(live => live.error)) {
      view.error = lives[0].error;
      this.options.logger.warn(
        'Live state of an environment could not be read',
        {
          environment: environment.name,
          cluster: environment.cluster,
          error: view.error,
        },
      );
    }
    return view;
  }
}
