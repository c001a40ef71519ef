import {
  AuthService,
  BackstageCredentials,
  coreServices,
  createServiceFactory,
  createServiceRef,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  DeploymentDetails,
  DeploymentKey,
  DeploymentRecord,
  DeploymentUpdate,
  EnvironmentName,
  EnvironmentSummary,
  ValidationResult,
} from '@internal/backstage-plugin-deployments-common';

/** Options of every call: whose behalf it acts on. @public */
export type DeploymentCallOptions = { credentials: BackstageCredentials };

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
  /** Validates, applies and follows the rollout; rolls back automatically when it fails. */
  deploy(
    input: unknown,
    options: DeploymentCallOptions & {
      dryRun?: boolean;
      timeoutSeconds?: number;
    },
  ): Promise<DeploymentRecord>;
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
  update(
    key: DeploymentKey,
    update: DeploymentUpdate,
    options: DeploymentCallOptions & { timeoutSeconds?: number },
  ): Promise<DeploymentRecord>;
  restart(
    key: DeploymentKey,
    options: DeploymentCallOptions,
  ): Promise<DeploymentRecord>;
  /** To the given history revision, or to the last good one before the current. */
  rollback(
    key: DeploymentKey,
    target: { revision?: number },
    options: DeploymentCallOptions & { timeoutSeconds?: number },
  ): Promise<DeploymentRecord>;
  delete(
    key: DeploymentKey,
    options: DeploymentCallOptions,
  ): Promise<DeploymentRecord>;
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
    options: DeploymentCallOptions & {
      dryRun?: boolean;
      timeoutSeconds?: number;
    },
  ) {
    return this.request<DeploymentRecord>(
      'POST',
      `/deployments${query({
        dryRun: options.dryRun,
        timeoutSeconds: options.timeoutSeconds,
      })}`,
      options.credentials,
      input,
    );
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
    options: DeploymentCallOptions & { timeoutSeconds?: number },
  ) {
    return this.request<DeploymentRecord>(
      'PUT',
      `/deployments/${keyPath(key)}${query({
        timeoutSeconds: options.timeoutSeconds,
      })}`,
      options.credentials,
      update,
    );
  }

  restart(key: DeploymentKey, options: DeploymentCallOptions) {
    return this.request<DeploymentRecord>(
      'POST',
      `/deployments/${keyPath(key)}/restart`,
      options.credentials,
    );
  }

  rollback(
    key: DeploymentKey,
    target: { revision?: number },
    options: DeploymentCallOptions & { timeoutSeconds?: number },
  ) {
    return this.request<DeploymentRecord>(
      'POST',
      `/deployments/${keyPath(key)}/rollback${query({
        timeoutSeconds: options.timeoutSeconds,
      })}`,
      options.credentials,
      target,
    );
  }

  delete(key: DeploymentKey, options: DeploymentCallOptions) {
    return this.request<DeploymentRecord>(
      'DELETE',
      `/deployments/${keyPath(key)}`,
      options.credentials,
    );
  }

  private async request<T>(
    method: string,
    urlPath: string,
    credentials: BackstageCredentials,
    body?: unknown,
  ): Promise<T> {
    const baseUrl = await this.discovery.getBaseUrl('deployments');
    const { token } = await this.auth.getPluginRequestToken({
      onBehalfOf: credentials,
      targetPluginId: 'deployments',
    });
    const response = await this.fetchFn(`${baseUrl}${urlPath}`, {
      method,
      headers: {
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
