import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  CostEstimate,
  DeploymentKey,
  DeploymentRecord,
  DeploymentRequest,
  DeploymentUpdate,
  imageReference,
  parseDeploymentRequest,
  PolicyViolation,
  RenderedManifest,
  validateDeployment,
  workloadName,
  withErrorCode,
  secretReferences,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { ApplicationCatalog } from '../catalog/ApplicationCatalog';
import { CostEstimator } from '../cost/CostEstimator';
import { KubernetesDeployer } from '../kubernetes/KubernetesDeployer';
import { Targets } from '../kubernetes/Targets';
import { PolicyRegistry } from '../service/PolicyRegistry';
import {
  EnvironmentConfig,
  policyEnvironment,
} from '../service/readEnvironments';
import { PolicyViolationsError, RequestInvalidError } from '../service/errors';
import { DeploymentStore } from '../store/DeploymentStore';
import { StoredChange } from '../store/ChangeStore';

/** A request checked against the catalog, the policies and the cluster. */
export type Preview = {
  request: DeploymentRequest;
  entityRef: string;
  owner: string;
  environment: EnvironmentConfig;
  deployer: KubernetesDeployer;
  manifests: RenderedManifest[];
  violations: PolicyViolation[];
  /** The monthly estimate, when the environment has prices. */
  cost?: CostEstimate;
};

/** What a change will apply, against which revision that runs now. */
export type Plan = {
  request: DeploymentRequest;
  manifests: RenderedManifest[];
  image: string;
  digest?: string;
  /** What runs now (its objects are restored if the change fails), if anything. */
  base?: DeploymentRecord;
};

/** A change that cannot be carried out as asked; it fails with this reason. */
export class PlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlanError';
  }
}

/**
 * How long the checks made when a change was asked for (policies, catalog,
 * ownership) stay good for running it: a change that waited longer is
 * checked again. The server-side dry run before the apply runs every time.
 */
const RECHECK_AFTER_MS = 60_000;

/** The fields an update may not change. */
const FIXED_FIELDS = [
  'application',
  'environment',
  'namespace',
  'name',
  'requester',
];

/**
 * Merges an update over the request of what runs: a new tag without a digest
 * does not keep the old digest, and vice versa.
 */
export function mergeUpdate(
  base: DeploymentRequest,
  update: DeploymentUpdate,
): Record<string, unknown> {
  const { image, ...rest } = update as DeploymentUpdate &
    Record<string, unknown>;
  return {
    ...base,
    ...rest,
    image: image
      ? {
          repository: image.repository ?? base.image.repository,
          tag: image.tag,
          digest: image.digest,
        }
      : base.image,
  };
}

/** Refuses an update body that is not an object or touches fixed fields. */
export function checkUpdate(update: unknown): DeploymentUpdate {
  if (typeof update !== 'object' || update === null || Array.isArray(update)) {
    throw withErrorCode(
      new InputError(
        'The update must be a JSON object, e.g. { "replicas": 3 }',
      ),
      'update-invalid',
    );
  }
  for (const field of FIXED_FIELDS) {
    if (field in update) {
      throw withErrorCode(
        new InputError(
          `${field} cannot be changed by an update; deploy a new application or environment instead`,
        ),
        'update-invalid',
      );
    }
  }
  return update as DeploymentUpdate;
}

/**
 * Turns requests into what will be applied: the catalog's owner, the
 * environment's policies (validateDeployment from -common, the same check
 * the deploy form runs), the cluster's namespaces and the digests that ran
 * before. Used twice per change: when it is asked for (as the caller, so a
 * refusal is an immediate 4xx) and when a worker plans it (what runs may
 * have changed while it waited).
 */
export class ChangePlanner {
  static create(options: {
    catalog: ApplicationCatalog;
    records: DeploymentStore;
    targets: Targets;
    policies: PolicyRegistry;
    ingressNamespace: string;
    /** Prices requests; without it, no estimates and no budgets. */
    costs?: CostEstimator;
  }): ChangePlanner {
    return new ChangePlanner(
      options.catalog,
      options.records,
      options.targets,
      options.policies,
      options.ingressNamespace,
      options.costs,
    );
  }

  private constructor(
    private readonly catalog: ApplicationCatalog,
    private readonly records: DeploymentStore,
    private readonly targets: Targets,
    private readonly policies: PolicyRegistry,
    private readonly ingressNamespace: string,
    private readonly costs?: CostEstimator,
  ) {}

  /**
   * Validates a request: schema, catalog, policies with the cluster's facts.
   * `credentials`: the caller's (absent: the engine's own).
   */
  async preview(
    input: unknown,
    credentials?: BackstageCredentials,
  ): Promise<Preview> {
    const shape = parseDeploymentRequest(input);
    if (!shape.success) {
      throw new RequestInvalidError(shape.errors);
    }
    const parsed = shape.request;
    const environment = this.targets.environment(parsed.environment);
    const deployer = this.targets.deployer(environment);
    // The catalog, the cluster and the history are asked at once.
    const applicationRef = stringifyEntityRef(
      parseEntityRef(parsed.application),
    );
    const secretNames = secretReferences(parsed).map(ref => ref.secret);
    const [entity, namespaces, deployedDigests, runningImages, secrets] =
      await Promise.all([
        this.catalog.application(parsed.application, credentials),
        deployer.namespaces(),
        this.records.deployedDigests(applicationRef),
        this.records.runningImages(applicationRef),
        secretNames.length > 0
          ? deployer.secrets(parsed.namespace, secretNames)
          : undefined,
      ]);
    const entityRef = stringifyEntityRef(entity);
    const owner = this.catalog.ownerOf(entity);
    const teamMonthlyCost = await this.costs?.teamMonthlyCost(
      {
        environment: parsed.environment,
        namespace: parsed.namespace,
        name: workloadName(parsed),
      },
      owner,
    );
    const validation = validateDeployment(input, {
      owner,
      cluster: {
        namespaces,
        deployedDigests,
        runningImages,
        secrets,
        ...(teamMonthlyCost === undefined ? {} : { teamMonthlyCost }),
      },
      policies: this.policies.policies(),
      settings: environment.policies,
      environment: policyEnvironment(environment),
      ingressNamespace: this.ingressNamespace,
    });
    if ('errors' in validation) {
      throw new RequestInvalidError(validation.errors);
    }
    return {
      request: validation.request,
      entityRef,
      owner,
      environment,
      deployer,
      manifests: validation.manifests,
      violations: validation.violations,
      cost: this.costs?.estimate(validation.request),
    };
  }

  /** Like preview, and refuses a request that error-level policies block. */
  async check(
    input: unknown,
    credentials?: BackstageCredentials,
  ): Promise<Preview> {
    const preview = await this.preview(input, credentials);
    if (preview.violations.some(v => v.severity === 'error')) {
      throw new PolicyViolationsError(preview.violations);
    }
    return preview;
  }

  /**
   * Refuses (409 `object-not-managed`) when an object of these names exists
   * that the portal did not create for this application: a deploy never
   * takes over what someone else made.
   */
  async checkOwnership(
    deployer: KubernetesDeployer,
    manifests: RenderedManifest[],
    entityRef: string,
  ): Promise<void> {
    const application = parseEntityRef(entityRef).name;
    const unmanaged = await deployer.unmanaged(manifests, application);
    if (unmanaged.length > 0) {
      throw withErrorCode(
        new ConflictError(
          `${unmanaged
            .map(u => `${u.object} (managed by ${u.managedBy})`)
            .join(', ')} already exist${
            unmanaged.length === 1 ? 's' : ''
          } in namespace ${manifests[0]?.metadata?.namespace} and ${
            unmanaged.length === 1 ? 'was' : 'were'
          } not created by the portal for ${application}; the portal does not take over objects it does not manage: rename the deployment (name) or remove those objects`,
        ),
        'object-not-managed',
      );
    }
  }

  /** What runs now, or a 404 when nothing does. */
  async runningOrThrow(key: DeploymentKey): Promise<DeploymentRecord> {
    this.targets.environment(key.environment);
    const running = await this.records.running(key);
    if (!running) {
      throw withErrorCode(
        new NotFoundError(
          `${key.namespace}/${key.name} is not running in ${key.environment}; deploy it first`,
        ),
        'deployment-not-found',
      );
    }
    return running;
  }

  /**
   * A worker's plan of a change, against what runs at this moment. Throws a
   * PlanError (the change fails with its message) when it no longer can be
   * carried out.
   */
  async plan(change: StoredChange): Promise<Plan> {
    const base = await this.records.running(change);
    switch (change.action) {
      case 'deploy':
      case 'update':
        return this.planRequest(change, base);
      case 'rollback':
        return this.planRollback(change, base);
      case 'restart':
        if (!base) {
          throw new PlanError(
            `${change.namespace}/${change.name} is not running; there is nothing to restart`,
          );
        }
        return {
          request: base.request,
          manifests: await this.records.manifests(base.id),
          image: base.image,
          digest: base.digest,
          base,
        };
      default:
        return this.planDelete(change, base);
    }
  }

  /**
   * Whether a deploy or update can run as it was checked when it was asked
   * for: checked moments ago (RECHECK_AFTER_MS), against the same running
   * revision, and not resumed. Otherwise it is planned afresh.
   */
  private async checkedPlan(
    change: StoredChange,
    base: DeploymentRecord | undefined,
  ): Promise<Plan | undefined> {
    if (
      change.attempts !== 1 ||
      base?.revision !== change.baseRevision ||
      Date.now() - Date.parse(change.createdAt) > RECHECK_AFTER_MS
    ) {
      return undefined;
    }
    const manifests = await this.records.manifests(change.id);
    if (manifests.length === 0) return undefined;
    return {
      request: change.request,
      manifests,
      image: change.image,
      digest: change.digest,
      base,
    };
  }

  private async planRequest(
    change: StoredChange,
    base: DeploymentRecord | undefined,
  ): Promise<Plan> {
    const checked = await this.checkedPlan(change, base);
    if (checked) return checked;
    let input: unknown = change.request;
    if (change.input) {
      if (!base) {
        throw new PlanError(
          `${change.namespace}/${change.name} no longer runs in ${change.environment}; an update needs a running deployment (deploy it first)`,
        );
      }
      input = {
        ...mergeUpdate(base.request, change.input),
        requester: change.requester,
      };
    }
    const preview = await this.check(input);
    await this.checkOwnership(
      preview.deployer,
      preview.manifests,
      preview.entityRef,
    );
    return {
      request: preview.request,
      manifests: preview.manifests,
      image: imageReference(preview.request.image),
      digest: preview.request.image.digest,
      base,
    };
  }

  private async planRollback(
    change: StoredChange,
    base: DeploymentRecord | undefined,
  ): Promise<Plan> {
    const target =
      change.rollbackToRevision === undefined
        ? undefined
        : await this.records.byRevision(change, change.rollbackToRevision);
    if (
      !target ||
      target.status !== 'succeeded' ||
      target.action === 'delete'
    ) {
      throw new PlanError(
        `revision ${change.rollbackToRevision} is not a version that ran successfully`,
      );
    }
    return {
      request: target.request,
      manifests: await this.records.manifests(target.id),
      image: target.image,
      digest: target.digest,
      base,
    };
  }

  private async planDelete(
    change: StoredChange,
    base: DeploymentRecord | undefined,
  ): Promise<Plan> {
    // Remove what runs, or else what the last attempt left behind.
    const source =
      base ??
      (await this.records.history(change, 20)).find(
        r =>
          r.id !== change.id &&
          r.action !== 'delete' &&
          r.status !== 'queued' &&
          r.status !== 'cancelled',
      );
    if (!source) {
      throw new PlanError(
        `${change.namespace}/${change.name} has nothing in the cluster to delete`,
      );
    }
    return {
      request: source.request,
      manifests: await this.records.manifests(source.id),
      image: source.image,
      digest: source.digest,
      base,
    };
  }
}
