import {
  AuthService,
  BackstageCredentials,
  coreServices,
  createServiceFactory,
  createServiceRef,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { InputError, ResponseError } from '@backstage/errors';
import {
  ApprovalRequest,
  ApprovalStatus,
  AuditPage,
  AuditFilter,
  DeploymentChange,
  DeploymentDetails,
  DeploymentKey,
  DeploymentOutcome,
  DeploymentRecord,
  DeploymentsDashboard,
  DeliveryInsights,
  DeploymentUpdate,
  EntityDeployments,
  EnvironmentName,
  EnvironmentSummary,
  ValidationResult,
} from '@deployments-portal/backstage-plugin-deployments-common';

/** Options of every call: whose behalf it acts on. @public */
export type DeploymentCallOptions = { credentials: BackstageCredentials };

/**
 * Options of a mutating call. `taskId`: the scaffolder task that makes it,
 * so that the audit trail and an approval request link back to it.
 * `idempotencyKey`: asking again with the same key answers the change made
 * the first time instead of queueing another (a retried step). `wait`: how
 * many seconds (at most 300) to wait for the change to end before answering;
 * without it the answer comes as soon as the change is queued.
 *
 * @public
 */
export type DeploymentChangeOptions = DeploymentCallOptions & {
  taskId?: string;
  idempotencyKey?: string;
  wait?: number;
};

/** Which approval requests to list. @public */
export type ApprovalFilter = {
  status?: ApprovalStatus;
  entityRef?: string;
};

/** An approver's decision, with an optional comment. @public */
export type ApprovalDecision = { comment?: string };

/**
 * What the deployments dashboard shows: one team (owner entity ref, e.g.
 * `group:default/team-payments`, or `unknown`) and/or one environment.
 *
 * @public
 */
export type DashboardFilter = {
  team?: string;
  environment?: EnvironmentName;
  /**
   * The delivery figures and first deployments over the last 7, 30 or 90
   * days; all time when absent.
   */
  windowDays?: number;
};

/**
 * Which changes the delivery insights count: the last 7, 30 (default) or 90
 * days, of one team, one environment and/or one application (entity ref).
 *
 * @public
 */
export type InsightsFilter = DashboardFilter & {
  entityRef?: string;
};

/**
 * The deployments suite's one service: used by the REST API and, through
 * `deploymentServiceRef`, by the scaffolder actions. Every call acts on
 * behalf of the given credentials and is checked by the permission framework.
 *
 * @public
 */
export interface DeploymentService {
  listEnvironments(
    options: DeploymentCallOptions,
  ): Promise<EnvironmentSummary[]>;
  /** Policies, server-side dry run and a diff against the live objects. */
  validate(
    input: unknown,
    options: DeploymentCallOptions,
  ): Promise<ValidationResult>;
  /**
   * Validates (schema, policies, ownership of existing objects, server-side
   * dry run) and queues the deploy as a change, which the engine applies and
   * verifies (rolling back automatically when the new version does not
   * become ready). In an environment that requires approval it queues
   * nothing and answers with the pending approval request instead.
   */
  deploy(
    input: unknown,
    options: DeploymentChangeOptions & {
      dryRun?: boolean;
      timeoutSeconds?: number;
    },
  ): Promise<DeploymentOutcome>;
  list(
    filter: { environment: EnvironmentName; namespace: string },
    options: DeploymentCallOptions,
  ): Promise<DeploymentRecord[]>;
  get(
    key: DeploymentKey,
    options: DeploymentCallOptions,
  ): Promise<DeploymentDetails>;
  history(
    key: DeploymentKey,
    options: DeploymentCallOptions,
  ): Promise<DeploymentRecord[]>;
  /** Like deploy: pending approval in an environment that requires it. */
  update(
    key: DeploymentKey,
    update: DeploymentUpdate,
    options: DeploymentChangeOptions & { timeoutSeconds?: number },
  ): Promise<DeploymentOutcome>;
  /** Queued in every environment (no approval): the version does not change. */
  restart(
    key: DeploymentKey,
    options: DeploymentChangeOptions,
  ): Promise<DeploymentOutcome>;
  /** To the given history revision, or to the last good one before the current. */
  rollback(
    key: DeploymentKey,
    target: { revision?: number },
    options: DeploymentChangeOptions & { timeoutSeconds?: number },
  ): Promise<DeploymentOutcome>;
  delete(
    key: DeploymentKey,
    options: DeploymentChangeOptions,
  ): Promise<DeploymentOutcome>;
  /** A change: where it is, its steps, and how it ended (`wait`: up to 300 s). */
  getChange(
    id: string,
    options: DeploymentCallOptions & { wait?: number },
  ): Promise<DeploymentChange>;
  /** Withdraws a change that is still queued; 409 once it runs. */
  cancelChange(
    id: string,
    options: DeploymentCallOptions,
  ): Promise<DeploymentChange>;
  /**
   * The Deployments tab of an application: every configured environment in
   * the configured order with the application's deployments there and what the
   * cluster runs. An unreachable cluster fills that environment's `error`.
   */
  listForEntity(
    entityRef: string,
    options: DeploymentCallOptions,
  ): Promise<EntityDeployments>;
  /** Deployments, recent failures and delivery figures per team and environment. */
  dashboard(
    filter: DashboardFilter,
    options: DeploymentCallOptions,
  ): Promise<DeploymentsDashboard>;
  /** DORA figures over a window, with the ADR's targets. */
  insights(
    filter: InsightsFilter,
    options: DeploymentCallOptions,
  ): Promise<DeliveryInsights>;
  /** Approval requests, newest first. */
  listApprovals(
    filter: ApprovalFilter,
    options: DeploymentCallOptions,
  ): Promise<ApprovalRequest[]>;
  getApproval(
    id: string,
    options: DeploymentCallOptions,
  ): Promise<ApprovalRequest>;
  /**
   * Approves a pending request and queues its change exactly once (as the
   * requester's change, with the approver recorded; `changeId` follows it).
   * Never by the requester; a request someone else decided first, that
   * expired or whose deployment changed since it was raised is a conflict.
   */
  approve(
    id: string,
    decision: ApprovalDecision,
    options: DeploymentCallOptions,
  ): Promise<ApprovalRequest>;
  reject(
    id: string,
    decision: ApprovalDecision,
    options: DeploymentCallOptions,
  ): Promise<ApprovalRequest>;
  /** One page of the audit trail, newest first; `nextCursor` for the next. */
  listAudit(
    filter: AuditFilter,
    options: DeploymentCallOptions,
  ): Promise<AuditPage>;
}

/**
 * Talks to the deployments backend plugin over its REST API, the same way
 * `catalogServiceRef` reaches the catalog: the logic lives in one place only.
 *
 * @public
 */
export class DefaultDeploymentServiceClient implements DeploymentService {
  static create(options: {
    discovery: DiscoveryService;
    auth: AuthService;
    fetch?: typeof fetch;
  }): DefaultDeploymentServiceClient {
    return new DefaultDeploymentServiceClient(
      options.discovery,
      options.auth,
      options.fetch ?? fetch,
    );
  }

  private constructor(
    private readonly discovery: DiscoveryService,
    private readonly auth: AuthService,
    private readonly fetchFn: typeof fetch,
  ) {}

  async listEnvironments(
    options: DeploymentCallOptions,
  ): Promise<EnvironmentSummary[]> {
    const body = await this.request<{ items: EnvironmentSummary[] }>(
      'GET',
      '/environments',
      options.credentials,
    );
    return body.items;
  }

  validate(input: unknown, options: DeploymentCallOptions) {
    return this.request<ValidationResult>(
      'POST',
      '/validate',
      options.credentials,
      input,
    );
  }

  deploy(
    input: unknown,
    options: DeploymentChangeOptions & {
      dryRun?: boolean;
      timeoutSeconds?: number;
    },
  ) {
    return this.change('POST', '/deployments', options, input, {
      dryRun: options.dryRun,
      timeoutSeconds: options.timeoutSeconds,
    });
  }

  async list(
    filter: { environment: EnvironmentName; namespace: string },
    options: DeploymentCallOptions,
  ) {
    const body = await this.request<{ items: DeploymentRecord[] }>(
      'GET',
      `/deployments/${path(filter.environment, filter.namespace)}`,
      options.credentials,
    );
    return body.items;
  }

  get(key: DeploymentKey, options: DeploymentCallOptions) {
    return this.request<DeploymentDetails>(
      'GET',
      `/deployments/${keyPath(key)}`,
      options.credentials,
    );
  }

  async history(key: DeploymentKey, options: DeploymentCallOptions) {
    const body = await this.request<{ items: DeploymentRecord[] }>(
      'GET',
      `/deployments/${keyPath(key)}/history`,
      options.credentials,
    );
    return body.items;
  }

  update(
    key: DeploymentKey,
    update: DeploymentUpdate,
    options: DeploymentChangeOptions & { timeoutSeconds?: number },
  ) {
    return this.change('PUT', `/deployments/${keyPath(key)}`, options, update, {
      timeoutSeconds: options.timeoutSeconds,
    });
  }

  restart(key: DeploymentKey, options: DeploymentChangeOptions) {
    return this.change('POST', `/deployments/${keyPath(key)}/restart`, options);
  }

  rollback(
    key: DeploymentKey,
    target: { revision?: number },
    options: DeploymentChangeOptions & { timeoutSeconds?: number },
  ) {
    return this.change(
      'POST',
      `/deployments/${keyPath(key)}/rollback`,
      options,
      target,
      { timeoutSeconds: options.timeoutSeconds },
    );
  }

  delete(key: DeploymentKey, options: DeploymentChangeOptions) {
    return this.change('DELETE', `/deployments/${keyPath(key)}`, options);
  }

  getChange(id: string, options: DeploymentCallOptions & { wait?: number }) {
    return this.request<DeploymentChange>(
      'GET',
      `/changes/${path(id)}${query({ wait: options.wait })}`,
      options.credentials,
    );
  }

  cancelChange(id: string, options: DeploymentCallOptions) {
    return this.request<DeploymentChange>(
      'POST',
      `/changes/${path(id)}/cancel`,
      options.credentials,
    );
  }

  /** A mutating call: task id and wait as query parameters, the key as a header. */
  private change(
    method: string,
    urlPath: string,
    options: DeploymentChangeOptions,
    body?: unknown,
    params: Record<string, string | number | boolean | undefined> = {},
  ) {
    return this.request<DeploymentOutcome>(
      method,
      `${urlPath}${query({
        ...params,
        wait: options.wait,
        taskId: options.taskId,
      })}`,
      options.credentials,
      body,
      options.idempotencyKey
        ? { 'Idempotency-Key': options.idempotencyKey }
        : {},
    );
  }

  async listForEntity(entityRef: string, options: DeploymentCallOptions) {
    return this.request<EntityDeployments>(
      'GET',
      `/entities/${entityPath(entityRef)}/deployments`,
      options.credentials,
    );
  }

  dashboard(filter: DashboardFilter, options: DeploymentCallOptions) {
    return this.request<DeploymentsDashboard>(
      'GET',
      `/dashboard${query({
        team: filter.team,
        environment: filter.environment,
        window: filter.windowDays,
      })}`,
      options.credentials,
    );
  }

  insights(filter: InsightsFilter, options: DeploymentCallOptions) {
    return this.request<DeliveryInsights>(
      'GET',
      `/insights${query({
        window: filter.windowDays,
        team: filter.team,
        environment: filter.environment,
        entityRef: filter.entityRef,
      })}`,
      options.credentials,
    );
  }

  async listApprovals(filter: ApprovalFilter, options: DeploymentCallOptions) {
    const body = await this.request<{ items: ApprovalRequest[] }>(
      'GET',
      `/approvals${query({
        status: filter.status,
        entityRef: filter.entityRef,
      })}`,
      options.credentials,
    );
    return body.items;
  }

  getApproval(id: string, options: DeploymentCallOptions) {
    return this.request<ApprovalRequest>(
      'GET',
      `/approvals/${path(id)}`,
      options.credentials,
    );
  }

  approve(
    id: string,
    decision: ApprovalDecision,
    options: DeploymentCallOptions,
  ) {
    return this.request<ApprovalRequest>(
      'POST',
      `/approvals/${path(id)}/approve`,
      options.credentials,
      decision,
    );
  }

  reject(
    id: string,
    decision: ApprovalDecision,
    options: DeploymentCallOptions,
  ) {
    return this.request<ApprovalRequest>(
      'POST',
      `/approvals/${path(id)}/reject`,
      options.credentials,
      decision,
    );
  }

  async listAudit(filter: AuditFilter, options: DeploymentCallOptions) {
    return this.request<AuditPage>(
      'GET',
      `/audit${query({
        entityRef: filter.entityRef,
        environment: filter.environment,
        limit: filter.limit,
        since: filter.since,
        until: filter.until,
        cursor: filter.cursor,
      })}`,
      options.credentials,
    );
  }

  private async request<T>(
    method: string,
    urlPath: string,
    credentials: BackstageCredentials,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const baseUrl = await this.discovery.getBaseUrl('deployments');
    const { token } = await this.auth.getPluginRequestToken({
      onBehalfOf: credentials,
      targetPluginId: 'deployments',
    });
    const response = await this.fetchFn(`${baseUrl}${urlPath}`, {
      method,
      headers: {
        ...headers,
        Authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}

function path(...parts: string[]) {
  return parts.map(encodeURIComponent).join('/');
}

/** `kind/namespace/name` of an entity ref `kind:[namespace/]name`. */
function entityPath(entityRef: string) {
  const match = /^([^:/]+):(?:([^:/]+)\/)?([^:/]+)$/.exec(entityRef);
  if (!match) {
    throw new InputError(
      `'${entityRef}' is not an entity ref; use kind:namespace/name, e.g. component:default/payments-api`,
    );
  }
  return path(match[1], match[2] ?? 'default', match[3]);
}

function keyPath(key: DeploymentKey) {
  return path(key.environment, key.namespace, key.name);
}

function query(params: Record<string, string | number | boolean | undefined>) {
  const entries = Object.entries(params).filter(([, v]) => v !== undefined);
  return entries.length
    ? `?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)]))}`
    : '';
}

/**
 * The deployments service for other backend plugins and modules.
 *
 * @public
 */
export const deploymentServiceRef = createServiceRef<DeploymentService>({
  id: 'deployments.deployment-service',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: {
        discovery: coreServices.discovery,
        auth: coreServices.auth,
      },
      factory: ({ discovery, auth }) =>
        DefaultDeploymentServiceClient.create({ discovery, auth }),
    }),
});
