import { createApiRef } from '@backstage/frontend-plugin-api';
import { CompoundEntityRef } from '@backstage/catalog-model';
import {
  ApprovalRequest,
  ApprovalStatus,
  AuditFilter,
  AuditPage,
  DeploymentChange,
  DeploymentKey,
  DeploymentOutcome,
  DeploymentRecord,
  DeploymentsDashboard,
  DeliveryInsights,
  EntityDeployments,
  EntityHealth,
  EntityHealthTimeline,
  EntityReadiness,
  EnvironmentName,
  EnvironmentSummary,
  ValidationResult,
} from '@deployments-portal/backstage-plugin-deployments-common';

/**
 * Which changes the delivery insights count: the dashboard's filter and/or
 * one application, over the last `windowDays` days (7, 30 or 90).
 *
 * @public
 */
export type InsightsFilter = DashboardFilter & {
  entityRef?: string;
};

/**
 * What the dashboard shows: everything, or one team and/or one environment.
 *
 * @public
 */
export type DashboardFilter = {
  /** Owner entity ref, e.g. `group:default/team-payments`. */
  team?: string;
  environment?: EnvironmentName;
  /**
   * Delivery figures and first deployments over the last 7, 30 or 90 days
   * (all time when absent; the insights' default is 30).
   */
  windowDays?: 7 | 30 | 90;
};

/**
 * Which approval requests to list. Absent filters match everything.
 *
 * @public
 */
export type ApprovalListFilter = {
  status?: ApprovalStatus;
  /** e.g. `component:default/payments-api` */
  entityRef?: string;
};

/** The formats the audit trail can be exported in. @public */
export type AuditExportFormat = 'json' | 'csv';

/**
 * The deployments backend, as the frontend sees it.
 *
 * @public
 */
export interface DeploymentsApi {
  listEnvironments(): Promise<EnvironmentSummary[]>;
  /** Policies, server-side dry run and diff; nothing is applied. */
  validate(request: unknown): Promise<ValidationResult>;
  /** The Deployments tab of an application, environments in the configured order. */
  getEntityDeployments(
    entityRef: string | CompoundEntityRef,
  ): Promise<EntityDeployments>;
  /**
   * The Service Health tab of an application. `refresh` skips the backend's
   * short-lived cache and probes again.
   */
  getEntityHealth(
    entityRef: string | CompoundEntityRef,
    options?: { refresh?: boolean },
  ): Promise<EntityHealth>;
  /**
   * What the backend's health monitor saw over time: each change of state
   * per environment, newest first.
   */
  getHealthTimeline(
    entityRef: string | CompoundEntityRef,
    options?: { environment?: string; limit?: number },
  ): Promise<EntityHealthTimeline>;
  /**
   * The readiness checklist of an application: owner, image annotation,
   * health contract, APIs, TechDocs, runbook and Secrets, with a score.
   */
  getReadiness(entityRef: string | CompoundEntityRef): Promise<EntityReadiness>;
  getDashboard(filter?: DashboardFilter): Promise<DeploymentsDashboard>;
  /**
   * The delivery insights: DORA figures over the last 7, 30 (default) or 90
   * days, for the dashboard's filter or one application.
   */
  getInsights(filter?: InsightsFilter): Promise<DeliveryInsights>;
  /** Every record of a deployment, newest first. */
  getHistory(key: DeploymentKey): Promise<DeploymentRecord[]>;
  /**
   * Changes are queued: restart, scale, rollback and delete answer with the
   * change (follow it with `getChange`). In an environment that requires
   * approval, scale, rollback and delete queue nothing: they answer with the
   * pending approval request.
   */
  /** Rolls every pod, like `kubectl rollout restart`. */
  restart(key: DeploymentKey): Promise<DeploymentOutcome>;
  scale(key: DeploymentKey, replicas: number): Promise<DeploymentOutcome>;
  /** To `revision` from the history, or to the previous good one. */
  rollback(key: DeploymentKey, revision?: number): Promise<DeploymentOutcome>;
  /** Removes everything the deployment created; the history stays. */
  delete(key: DeploymentKey): Promise<DeploymentOutcome>;
  /** A change: where it is (queued, applying, …), its steps and how it ended. */
  getChange(id: string): Promise<DeploymentChange>;
  /** Withdraws a change that is still queued. */
  cancelChange(id: string): Promise<DeploymentChange>;
  /** Approval requests, newest first. */
  listApprovals(filter?: ApprovalListFilter): Promise<ApprovalRequest[]>;
  getApproval(id: string): Promise<ApprovalRequest>;
  /**
   * Approves a pending request; the backend queues its change at once and
   * answers with the decided request and the change's id (`changeId`).
   */
  approve(id: string, comment?: string): Promise<ApprovalRequest>;
  reject(id: string, comment?: string): Promise<ApprovalRequest>;
  /**
   * One page of the audit trail, newest first; pass its `nextCursor` as
   * `cursor` (same filter) for the older events.
   */
  getAudit(filter?: AuditFilter): Promise<AuditPage>;
  /**
   * The audit trail as a file, fetched with the user's credentials (a plain
   * link would not carry them).
   */
  exportAudit(filter: AuditFilter, format: AuditExportFormat): Promise<Blob>;
}

/** @public */
export const deploymentsApiRef = createApiRef<DeploymentsApi>({
  id: 'plugin.deployments.api',
});
