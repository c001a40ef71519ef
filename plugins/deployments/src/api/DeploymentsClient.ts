import { CompoundEntityRef, parseEntityRef } from '@backstage/catalog-model';
import { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  ApprovalRequest,
  AuditEvent,
  AuditFilter,
  AuditPage,
  changeLink,
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
  EnvironmentSummary,
  ValidationResult,
} from '@deployments-portal/backstage-plugin-deployments-common';
import {
  ApprovalListFilter,
  AuditExportFormat,
  DashboardFilter,
  InsightsFilter,
  DeploymentsApi,
} from './DeploymentsApi';

const JSON_HEADERS = { 'Content-Type': 'application/json' };

function entityPath(entityRef: string | CompoundEntityRef): string {
  const { kind, namespace, name } = parseEntityRef(entityRef);
  return `/entities/${[kind.toLocaleLowerCase('en-US'), namespace, name]
    .map(encodeURIComponent)
    .join('/')}`;
}

function queryString(params: Record<string, string | number | undefined>) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') query.set(key, String(value));
  }
  const text = query.toString();
  return text ? `?${text}` : '';
}

function approvalPath(id: string) {
  return `/approvals/${encodeURIComponent(id)}`;
}

function changePath(id: string) {
  return changeLink(id);
}

function auditQuery(filter: AuditFilter | undefined, format?: string) {
  return queryString({
    entityRef: filter?.entityRef,
    environment: filter?.environment,
    action: filter?.action,
    limit: filter?.limit,
    since: filter?.since,
    until: filter?.until,
    cursor: filter?.cursor,
    format,
  });
}

function deploymentPath({ environment, namespace, name }: DeploymentKey) {
  return `/deployments/${[environment, namespace, name]
    .map(encodeURIComponent)
    .join('/')}`;
}

/**
 * Calls the deployments backend with the signed-in user's credentials.
 *
 * @public
 */
export class DeploymentsClient implements DeploymentsApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  async listEnvironments(): Promise<EnvironmentSummary[]> {
    const body = await this.request<{ items: EnvironmentSummary[] }>(
      '/environments',
    );
    return body.items;
  }

  async validate(request: unknown): Promise<ValidationResult> {
    return this.request<ValidationResult>('/validate', {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify(request),
    });
  }

  async getEntityDeployments(
    entityRef: string | CompoundEntityRef,
  ): Promise<EntityDeployments> {
    return this.request<EntityDeployments>(
      `${entityPath(entityRef)}/deployments`,
    );
  }

  async getEntityHealth(
    entityRef: string | CompoundEntityRef,
    options?: { refresh?: boolean },
  ): Promise<EntityHealth> {
    const query = options?.refresh ? '?refresh=true' : '';
    return this.request<EntityHealth>(
      `${entityPath(entityRef)}/health${query}`,
    );
  }

  async getHealthTimeline(
    entityRef: string | CompoundEntityRef,
    options?: { environment?: string; limit?: number },
  ): Promise<EntityHealthTimeline> {
    const params = new URLSearchParams();
    if (options?.environment) params.set('environment', options.environment);
    if (options?.limit !== undefined)
      params.set('limit', String(options.limit));
    const query = params.toString();
    return this.request<EntityHealthTimeline>(
      `${entityPath(entityRef)}/health/timeline${query ? `?${query}` : ''}`,
    );
  }

  async getReadiness(
    entityRef: string | CompoundEntityRef,
  ): Promise<EntityReadiness> {
    return this.request<EntityReadiness>(`${entityPath(entityRef)}/readiness`);
  }

  async getDashboard(filter?: DashboardFilter): Promise<DeploymentsDashboard> {
    const params = new URLSearchParams();
    if (filter?.team) params.set('team', filter.team);
    if (filter?.environment) params.set('environment', filter.environment);
    if (filter?.windowDays) params.set('window', String(filter.windowDays));
    const query = params.toString();
    return this.request<DeploymentsDashboard>(
      `/dashboard${query ? `?${query}` : ''}`,
    );
  }

  async getInsights(filter?: InsightsFilter): Promise<DeliveryInsights> {
    const params = new URLSearchParams();
    if (filter?.windowDays) params.set('window', String(filter.windowDays));
    if (filter?.team) params.set('team', filter.team);
    if (filter?.environment) params.set('environment', filter.environment);
    if (filter?.entityRef) params.set('entityRef', filter.entityRef);
    const query = params.toString();
    return this.request<DeliveryInsights>(
      `/insights${query ? `?${query}` : ''}`,
    );
  }

  async getHistory(key: DeploymentKey): Promise<DeploymentRecord[]> {
    const body = await this.request<{ items: DeploymentRecord[] }>(
      `${deploymentPath(key)}/history`,
    );
    return body.items;
  }

  async restart(key: DeploymentKey): Promise<DeploymentOutcome> {
    return this.request<DeploymentOutcome>(`${deploymentPath(key)}/restart`, {
      method: 'POST',
    });
  }

  async getChange(id: string): Promise<DeploymentChange> {
    return this.request<DeploymentChange>(changePath(id));
  }

  async cancelChange(id: string): Promise<DeploymentChange> {
    return this.request<DeploymentChange>(`${changePath(id)}/cancel`, {
      method: 'POST',
    });
  }

  async scale(
    key: DeploymentKey,
    replicas: number,
  ): Promise<DeploymentOutcome> {
    return this.request<DeploymentOutcome>(deploymentPath(key), {
      method: 'PUT',
      headers: JSON_HEADERS,
      body: JSON.stringify({ replicas }),
    });
  }

  async rollback(
    key: DeploymentKey,
    revision?: number,
  ): Promise<DeploymentOutcome> {
    return this.request<DeploymentOutcome>(`${deploymentPath(key)}/rollback`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify(revision === undefined ? {} : { revision }),
    });
  }

  async delete(key: DeploymentKey): Promise<DeploymentOutcome> {
    return this.request<DeploymentOutcome>(deploymentPath(key), {
      method: 'DELETE',
    });
  }

  async listApprovals(filter?: ApprovalListFilter): Promise<ApprovalRequest[]> {
    const body = await this.request<{ items: ApprovalRequest[] }>(
      `/approvals${queryString({
        status: filter?.status,
        entityRef: filter?.entityRef,
      })}`,
    );
    return body.items;
  }

  async getApproval(id: string): Promise<ApprovalRequest> {
    return this.request<ApprovalRequest>(approvalPath(id));
  }

  async approve(id: string, comment?: string): Promise<ApprovalRequest> {
    return this.decide(id, 'approve', comment);
  }

  async reject(id: string, comment?: string): Promise<ApprovalRequest> {
    return this.decide(id, 'reject', comment);
  }

  async getAudit(filter?: AuditFilter): Promise<AuditPage> {
    return this.request<AuditPage>(`/audit${auditQuery(filter)}`);
  }

  async exportAudit(
    filter: AuditFilter,
    format: AuditExportFormat,
  ): Promise<Blob> {
    const response = await this.fetch(`/audit${auditQuery(filter, format)}`);
    if (format === 'csv') {
      return response.blob();
    }
    // The JSON answer is `{ items }`; the file holds the events themselves.
    const body = (await response.json()) as { items: AuditEvent[] };
    return new Blob([`${JSON.stringify(body.items, null, 2)}\n`], {
      type: 'application/json',
    });
  }

  private async decide(
    id: string,
    decision: 'approve' | 'reject',
    comment?: string,
  ): Promise<ApprovalRequest> {
    const trimmed = comment?.trim();
    return this.request<ApprovalRequest>(`${approvalPath(id)}/${decision}`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify(trimmed ? { comment: trimmed } : {}),
    });
  }

  private async request<T>(path: string, init?: RequestInit): Promise<T> {
    const response = await this.fetch(path, init);
    // 202 (a change waiting for approval) carries a body like 200 does.
    return (await response.json()) as T;
  }

  private async fetch(path: string, init?: RequestInit): Promise<Response> {
    const baseUrl = await this.discoveryApi.getBaseUrl('deployments');
    const response = await this.fetchApi.fetch(`${baseUrl}${path}`, init);
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return response;
  }
}
