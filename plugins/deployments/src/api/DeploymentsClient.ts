import { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  EnvironmentSummary,
  ValidationResult,
} from '@internal/backstage-plugin-deployments-common';
import { DeploymentsApi } from './DeploymentsApi';

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
    const body = await this.get<{ items: EnvironmentSummary[] }>(
      '/environments',
    );
    return body.items;
  }

  async validate(request: unknown): Promise<ValidationResult> {
    return this.get<ValidationResult>('/validate', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(request),
    });
  }

  private async get<T>(path: string, init?: RequestInit): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl('deployments');
    const response = await this.fetchApi.fetch(`${baseUrl}${path}`, init);
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}
