import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  DeploymentChange,
  DeploymentKey,
  deploymentsCreatePermission,
  deploymentsDeletePermission,
  deploymentsRestartPermission,
  deploymentsRollbackPermission,
  deploymentsUpdatePermission,
  imageReference,
  parseDeploymentRequest,
  RenderedManifest,
  withErrorCode,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { entityRefOrThrow } from '../catalog/ApplicationCatalog';
import {
  applyOrder,
  PartialApplyError,
} from '../kubernetes/KubernetesDeployer';
import { Targets } from '../kubernetes/Targets';
import { Authorizer, requesterOf } from '../permissions/Authorizer';
import { PolicyViolationsError, RequestInvalidError } from '../service/errors';
import { DeploymentMetrics } from '../service/metrics';
import { DeploymentStore } from '../store/DeploymentStore';
import { ChangePlanner, Preview } from './ChangePlanner';
import type { ChangeCallOptions } from './ChangeRequests';

const MAX_TIMEOUT_SECONDS = 3600;

/** Who must be allowed what for each action. */
const PERMISSIONS = {
  deploy: [deploymentsCreatePermission, 'deploy'],
  update: [deploymentsUpdatePermission, 'update'],
  restart: [deploymentsRestartPermission, 'restart'],
  rollback: [deploymentsRollbackPermission, 'roll back'],
  delete: [deploymentsDeletePermission, 'delete'],
} as const;

/** The actions whose permission is asked for. */
export type ChangePermissionAction = keyof typeof PERMISSIONS;

/**
 * What a mutating call is checked for before anything is recorded: the
 * caller's permission, the request (schema, catalog, policies with the
 * cluster's facts), the ownership of existing objects, a server-side dry
 * run, a rollback's target and the time-out. Each refusal is a 4xx with a
 * specific message.
 */
export class Preflight {
  static create(options: {
    planner: ChangePlanner;
    authorizer: Authorizer;
    records: DeploymentStore;
    targets: Targets;
    metrics: DeploymentMetrics;
  }): Preflight {
    return new Preflight(options);
  }

  private constructor(
    private readonly options: Parameters<typeof Preflight.create>[0],
  ) {}

  /** Validated and dry-run on the cluster; nothing is recorded or applied. */
  async dryRun(
    input: unknown,
    options: ChangeCallOptions,
  ): Promise<DeploymentChange> {
    const preview = await this.checkDeploy('deploy', input, options);
    const { request } = preview;
    const now = new Date().toISOString();
    return {
      id: 'dry-run',
      entityRef: preview.entityRef,
      environment: request.environment,
      namespace: request.namespace,
      name: preview.manifests.find(m => m.kind === 'Deployment')!.metadata!
        .name!,
      revision: 0,
      action: 'deploy',
      status: 'succeeded',
      request,
      image: imageReference(request.image),
      digest: request.image.digest,
      requester: request.requester,
      changeReference: request.changeReference,
      statusHistory: [{ status: 'succeeded', at: now, reason: 'dry run' }],
      warnings: preview.violations
        .filter(v => v.severity === 'warning')
        .slice(0, 20),
      createdAt: now,
      finishedAt: now,
      attempts: 0,
      links: { self: '' },
    };
  }

  /**
   * Everything a deploy or update is checked for before it is queued:
   * schema, permission on the application, catalog, policies with the
   * cluster's facts, ownership of existing objects and a server-side dry run.
   */
  async checkDeploy(
    action: 'deploy' | 'update',
    input: unknown,
    options: ChangeCallOptions,
  ): Promise<Preview> {
    this.timeout(options.timeoutSeconds);
    const body = withRequester(input, requesterOf(options.credentials));
    const parsed = parseDeploymentRequest(body);
    if (!parsed.success) {
      throw new RequestInvalidError(parsed.errors);
    }
    // The permission is decided on the application's catalog entity, so the
    // request is parsed first to know which entity it is about.
    await this.authorize(
      action,
      options.credentials,
      parsed.request.application,
    );
    const checked = await this.options.planner.preview(
      body,
      options.credentials,
    );
    this.options.metrics.recordViolations(
      checked.environment.name,
      checked.violations,
    );
    if (checked.violations.some(v => v.severity === 'error')) {
      throw new PolicyViolationsError(checked.violations);
    }
    await Promise.all([
      this.options.planner.checkOwnership(
        checked.deployer,
        checked.manifests,
        checked.entityRef,
      ),
      this.dryRunApply(checked.environment.name, checked.manifests),
    ]);
    return checked;
  }

  /** A server-side dry run of every object; a refusal is the cluster's error. */
  async dryRunApply(
    environment: string,
    manifests: RenderedManifest[],
  ): Promise<void> {
    try {
      await this.options.targets
        .deployer(environment)
        .apply(applyOrder(manifests), { dryRun: true });
    } catch (error) {
      throw (error as PartialApplyError).cause ?? error;
    }
  }

  async rollbackTarget(key: DeploymentKey, revision?: number) {
    const { records } = this.options;
    if (revision !== undefined) {
      const to = await records.byRevision(key, revision);
      if (!to) {
        throw withErrorCode(
          new InputError(
            `revision ${revision} does not exist in the history of ${key.namespace}/${key.name}`,
          ),
          'rollback-target-invalid',
        );
      }
      if (to.status !== 'succeeded' || to.action === 'delete') {
        throw withErrorCode(
          new InputError(
            `revision ${revision} is not a version that ran successfully (it ${
              to.action === 'delete' ? 'was a delete' : `ended ${to.status}`
            }); pick a succeeded revision from the history`,
          ),
          'rollback-target-invalid',
        );
      }
      return to;
    }
    const current = await records.lastGood(key);
    const to = current
      ? await records.lastGood(key, current.revision)
      : undefined;
    if (!to) {
      throw withErrorCode(
        new InputError(
          `${key.namespace}/${key.name} has no earlier successful revision to roll back to`,
        ),
        'rollback-target-invalid',
      );
    }
    return to;
  }

  refuseOutright(
    action: Exclude<ChangePermissionAction, 'deploy'>,
    credentials: BackstageCredentials,
  ) {
    const [permission, verb] = PERMISSIONS[action];
    return this.options.authorizer.refuseOutright(
      permission,
      credentials,
      verb,
    );
  }

  authorize(
    action: ChangePermissionAction,
    credentials: BackstageCredentials,
    entityRef: string,
  ) {
    const [permission, verb] = PERMISSIONS[action];
    return this.options.authorizer.authorize(
      permission,
      credentials,
      verb,
      entityRefOrThrow(entityRef),
    );
  }

  timeout(requested?: number): number | undefined {
    if (requested === undefined) return undefined;
    if (
      !Number.isFinite(requested) ||
      requested < 1 ||
      requested > MAX_TIMEOUT_SECONDS
    ) {
      throw withErrorCode(
        new InputError(
          `timeoutSeconds must be between 1 and ${MAX_TIMEOUT_SECONDS}, got ${requested}`,
        ),
        'timeout-invalid',
      );
    }
    return requested;
  }
}

/** Who deploys is who is signed in, whatever the body says. */
function withRequester(input: unknown, requester: string): unknown {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return input;
  }
  return { ...input, requester };
}
