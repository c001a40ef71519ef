import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  ApprovalRequest,
  AuditPage,
  AuditFilter,
  DeploymentChange,
  DeploymentDetails,
  DeploymentKey,
  DeploymentOutcome,
  DeploymentRecord,
  deploymentsAuditReadPermission,
  DeploymentsDashboard,
  DeliveryInsights,
  deploymentsReadPermission,
  DeploymentUpdate,
  EntityDeployments,
  EnvironmentName,
  EnvironmentSummary,
  hasBlockingViolations,
  parseDeploymentRequest,
  ValidationResult,
} from '@deployments-portal/backstage-plugin-deployments-common';
import {
  ApprovalDecision,
  ApprovalFilter,
  DashboardFilter,
  InsightsFilter,
  DeploymentChangeOptions,
  DeploymentService,
} from '@deployments-portal/backstage-plugin-deployments-node';
import { ApprovalGate } from '../approvals/ApprovalGate';
import { AuditLog } from '../audit/AuditLog';
import { entityRefOrThrow } from '../catalog/ApplicationCatalog';
import { ChangePlanner } from '../changes/ChangePlanner';
import { ChangeRequests } from '../changes/ChangeRequests';
import { ChangeViews } from '../changes/ChangeViews';
import { applyOrder } from '../kubernetes/KubernetesDeployer';
import { Targets } from '../kubernetes/Targets';
import { Authorizer, requesterOf } from '../permissions/Authorizer';
import { DashboardView } from '../views/DashboardView';
import { InsightsView } from '../views/InsightsView';
import { DeploymentView } from '../views/DeploymentView';
import { EntityDeploymentsView } from '../views/EntityDeploymentsView';
import { diffObject } from './diff';
import { boundedProblems, boundedViolations, clip } from './errors';

type CallOptions = { credentials: BackstageCredentials };

/**
 * The deployments service of the REST API (and, through deployments-node,
 * of the scaffolder actions): a facade over the parts that do the work —
 * ChangeRequests (asking for changes), ChangeViews (following them),
 * ApprovalGate, the read views and the audit trail.
 */
export class DefaultDeploymentService implements DeploymentService {
  static create(options: {
    targets: Targets;
    authorizer: Authorizer;
    planner: ChangePlanner;
    requests: ChangeRequests;
    changes: ChangeViews;
    approvals: ApprovalGate;
    audit: AuditLog;
    deployments: DeploymentView;
    entities: EntityDeploymentsView;
    dashboards: DashboardView;
    insights: InsightsView;
  }): DefaultDeploymentService {
    return new DefaultDeploymentService(options);
  }

  private constructor(
    private readonly parts: Parameters<
      typeof DefaultDeploymentService.create
    >[0],
  ) {}

  async listEnvironments(options: CallOptions): Promise<EnvironmentSummary[]> {
    await this.parts.authorizer.authorize(
      deploymentsReadPermission,
      options.credentials,
      'read',
    );
    return this.parts.targets.environments.map(
      ({ name, cluster, namespacePattern, requiresApproval, production }) => ({
        name,
        cluster,
        namespacePattern,
        requiresApproval,
        production,
      }),
    );
  }

  /** Policies, a server-side dry run and a diff against the live objects. */
  async validate(
    input: unknown,
    options: CallOptions,
  ): Promise<ValidationResult> {
    await this.parts.authorizer.authorize(
      deploymentsReadPermission,
      options.credentials,
      'read',
    );
    const body =
      typeof input === 'object' && input !== null && !Array.isArray(input)
        ? { ...input, requester: requesterOf(options.credentials) }
        : input;
    // Bounded whatever the request holds: the first problems, each cut to
    // size, and how many more there are.
    const parsed = parseDeploymentRequest(body);
    if (!parsed.success) {
      const errors = boundedProblems(parsed.errors);
      return {
        valid: false,
        errors: errors.items,
        ...(errors.more ? { moreErrors: errors.more } : {}),
        violations: [],
        diff: [],
      };
    }
    const preview = await this.parts.planner.preview(body, options.credentials);
    const violations = boundedViolations(preview.violations);
    const result: ValidationResult = {
      valid: !hasBlockingViolations(preview.violations),
      errors: [],
      violations: violations.items,
      ...(violations.more ? { moreViolations: violations.more } : {}),
      diff: [],
      ...(preview.cost ? { cost: preview.cost } : {}),
    };
    if (!result.valid) {
      return result;
    }
    try {
      const ordered = applyOrder(preview.manifests);
      const planned = await preview.deployer.apply(ordered, { dryRun: true });
      result.dryRun = { ok: true };
      for (const [i, manifest] of ordered.entries()) {
        const live = await preview.deployer.read(manifest);
        result.diff.push(
          diffObject(
            manifest.kind,
            manifest.metadata!.name!,
            live as Record<string, unknown> | undefined,
            planned[i] as unknown as Record<string, unknown>,
          ),
        );
      }
    } catch (error) {
      result.valid = false;
      result.dryRun = {
        ok: false,
        error: clip((error as Error).message, 1000),
      };
    }
    return result;
  }

  deploy(
    input: unknown,
    options: DeploymentChangeOptions & {
      dryRun?: boolean;
      timeoutSeconds?: number;
    },
  ): Promise<DeploymentOutcome> {
    return this.parts.requests.deploy(input, options);
  }

  update(
    key: DeploymentKey,
    update: DeploymentUpdate,
    options: DeploymentChangeOptions & { timeoutSeconds?: number },
  ): Promise<DeploymentOutcome> {
    return this.parts.requests.update(key, update, options);
  }

  restart(
    key: DeploymentKey,
    options: DeploymentChangeOptions,
  ): Promise<DeploymentOutcome> {
    return this.parts.requests.restart(key, options);
  }

  rollback(
    key: DeploymentKey,
    target: { revision?: number },
    options: DeploymentChangeOptions & { timeoutSeconds?: number },
  ): Promise<DeploymentOutcome> {
    return this.parts.requests.rollback(key, target, options);
  }

  delete(
    key: DeploymentKey,
    options: DeploymentChangeOptions,
  ): Promise<DeploymentOutcome> {
    return this.parts.requests.delete(key, options);
  }

  getChange(
    id: string,
    options: CallOptions & { wait?: number },
  ): Promise<DeploymentChange> {
    return this.parts.changes.get(id, options);
  }

  cancelChange(id: string, options: CallOptions): Promise<DeploymentChange> {
    return this.parts.changes.cancel(id, options);
  }

  list(
    filter: { environment: EnvironmentName; namespace: string },
    options: CallOptions,
  ): Promise<DeploymentRecord[]> {
    return this.parts.deployments.list(filter, options.credentials);
  }

  get(key: DeploymentKey, options: CallOptions): Promise<DeploymentDetails> {
    return this.parts.deployments.get(key, options.credentials);
  }

  history(
    key: DeploymentKey,
    options: CallOptions,
  ): Promise<DeploymentRecord[]> {
    return this.parts.deployments.history(key, options.credentials);
  }

  listForEntity(
    entityRef: string,
    options: CallOptions,
  ): Promise<EntityDeployments> {
    return this.parts.entities.listForEntity(entityRef, options.credentials);
  }

  dashboard(
    filter: DashboardFilter,
    options: CallOptions,
  ): Promise<DeploymentsDashboard> {
    return this.parts.dashboards.dashboard(filter, options.credentials);
  }

  insights(
    filter: InsightsFilter,
    options: CallOptions,
  ): Promise<DeliveryInsights> {
    return this.parts.insights.insights(filter, options.credentials);
  }

  listApprovals(
    filter: ApprovalFilter,
    options: CallOptions,
  ): Promise<ApprovalRequest[]> {
    return this.parts.approvals.list(filter, options.credentials);
  }

  getApproval(id: string, options: CallOptions): Promise<ApprovalRequest> {
    return this.parts.approvals.get(id, options.credentials);
  }

  approve(
    id: string,
    decision: ApprovalDecision,
    options: CallOptions,
  ): Promise<ApprovalRequest> {
    return this.parts.approvals.approve(id, decision, options.credentials);
  }

  reject(
    id: string,
    decision: ApprovalDecision,
    options: CallOptions,
  ): Promise<ApprovalRequest> {
    return this.parts.approvals.reject(id, decision, options.credentials);
  }

  async listAudit(
    filter: AuditFilter,
    options: CallOptions,
  ): Promise<AuditPage> {
    await this.parts.authorizer.authorize(
      deploymentsAuditReadPermission,
      options.credentials,
      'read the audit trail of',
    );
    return this.parts.audit.list({
      ...filter,
      entityRef:
        filter.entityRef === undefined
          ? undefined
          : entityRefOrThrow(filter.entityRef),
    });
  }
}
