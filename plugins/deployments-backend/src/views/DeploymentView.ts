import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import {
  DeploymentDetails,
  DeploymentKey,
  DeploymentRecord,
  deploymentsReadPermission,
  EnvironmentName,
  LiveDeploymentState,
  withErrorCode,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { KubernetesDeployer } from '../kubernetes/KubernetesDeployer';
import { Targets } from '../kubernetes/Targets';
import { Authorizer } from '../permissions/Authorizer';
import { DeploymentStore } from '../store/DeploymentStore';

/** What the cluster runs for a deployment; a failed read says why. */
export async function readLive(
  deployer: KubernetesDeployer,
  key: { namespace: string; name: string },
): Promise<LiveDeploymentState> {
  try {
    return await deployer.live(key.namespace, key.name);
  } catch (error) {
    return { exists: false, error: (error as Error).message };
  }
}

/** One deployment and a namespace's deployments: records and live state. */
export class DeploymentView {
  static create(options: {
    records: DeploymentStore;
    targets: Targets;
    authorizer: Authorizer;
  }): DeploymentView {
    return new DeploymentView(
      options.records,
      options.targets,
      options.authorizer,
    );
  }

  private constructor(
    private readonly records: DeploymentStore,
    private readonly targets: Targets,
    private readonly authorizer: Authorizer,
  ) {}

  async list(
    filter: { environment: EnvironmentName; namespace: string },
    credentials: BackstageCredentials,
  ): Promise<DeploymentRecord[]> {
    await this.authorizer.authorize(
      deploymentsReadPermission,
      credentials,
      'read',
    );
    this.targets.environment(filter.environment);
    return this.records.listLatest(filter);
  }

  async get(
    key: DeploymentKey,
    credentials: BackstageCredentials,
  ): Promise<DeploymentDetails> {
    await this.authorizer.refuseOutright(
      deploymentsReadPermission,
      credentials,
      'read',
    );
    const record = await this.latestOrThrow(key);
    await this.authorizer.authorize(
      deploymentsReadPermission,
      credentials,
      'read',
      record.entityRef,
    );
    const live = await readLive(this.targets.deployer(key.environment), key);
    return { record, live };
  }

  async history(
    key: DeploymentKey,
    credentials: BackstageCredentials,
  ): Promise<DeploymentRecord[]> {
    await this.authorizer.refuseOutright(
      deploymentsReadPermission,
      credentials,
      'read',
    );
    this.targets.environment(key.environment);
    const records = await this.records.history(key);
    if (records.length === 0) {
      throw this.notFound(key);
    }
    await this.authorizer.authorize(
      deploymentsReadPermission,
      credentials,
      'read',
      records[0].entityRef,
    );
    return records;
  }

  /** The latest record of a deployment, or a 404. */
  async latestOrThrow(key: DeploymentKey): Promise<DeploymentRecord> {
    this.targets.environment(key.environment);
    const latest = await this.records.latest(key);
    if (!latest) {
      throw this.notFound(key);
    }
    return latest;
  }

  notFound(key: DeploymentKey) {
    return withErrorCode(
      new NotFoundError(
        `No deployment ${key.namespace}/${key.name} in ${key.environment}`,
      ),
      'deployment-not-found',
    );
  }
}
