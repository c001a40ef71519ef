import {
  AuthService,
  BackstageCredentials,
  coreServices,
  createServiceFactory,
  createServiceRef,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';
import { EnvironmentSummary } from '@internal/backstage-plugin-deployments-common';

/**
 * What other backend packages (the scaffolder actions among them) may ask of
 * the deployments plugin. Every call acts on behalf of the given credentials,
 * so the deployments backend applies its own permission checks.
 *
 * @public
 */
export interface DeploymentService {
  listEnvironments(options: {
    credentials: BackstageCredentials;
  }): Promise<EnvironmentSummary[]>;
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

  async listEnvironments(options: {
    credentials: BackstageCredentials;
  }): Promise<EnvironmentSummary[]> {
    const body = await this.request<{ items: EnvironmentSummary[] }>(
      '/environments',
      options.credentials,
    );
    return body.items;
  }

  private async request<T>(
    path: string,
    credentials: BackstageCredentials,
  ): Promise<T> {
    const baseUrl = await this.discovery.getBaseUrl('deployments');
    const { token } = await this.auth.getPluginRequestToken({
      onBehalfOf: credentials,
      targetPluginId: 'deployments',
    });
    const response = await this.fetchFn(`${baseUrl}${path}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
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
