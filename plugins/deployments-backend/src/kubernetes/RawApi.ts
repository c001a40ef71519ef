import { KubeConfig } from '@kubernetes/client-node';
import https from 'node:https';

const REQUEST_TIMEOUT_MS = 30_000;

/** Where a kind is served: its plural and whether it lives in namespaces. */
export type ApiResource = { name: string; namespaced: boolean };

/** An object's identity, enough to find its URL. */
export type ObjectRef = {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string; namespace?: string };
};

/** A refusal of the API server, shaped as the client's ApiException (see errors.ts). */
export class RawApiError extends Error {
  constructor(readonly code: number, readonly body: string, what: string) {
    super(`${what} answered ${code}: ${body.slice(0, 300)}`);
    this.name = 'RawApiError';
  }
}

const instances = new WeakMap<KubeConfig, RawApi>();

/**
 * JSON requests to one API server, sent and read exactly as Kubernetes
 * writes them. The typed client (de)serializes through its models, which
 * rename and drop fields it maps differently — a NetworkPolicy's
 * `ingress[].from` is `_from` in its model and was silently left out of
 * server-side applies — so applies and the drift check's reads go through
 * here. One per KubeConfig (API discovery is cached).
 */
export class RawApi {
  static for(kubeConfig: KubeConfig): RawApi {
    let api = instances.get(kubeConfig);
    if (!api) {
      api = new RawApi(kubeConfig);
      instances.set(kubeConfig, api);
    }
    return api;
  }

  private readonly resources = new Map<
    string,
    Promise<Map<string, ApiResource>>
  >();
  /** Requests sent (for the drift check's figures). */
  requests = 0;

  private constructor(private readonly kubeConfig: KubeConfig) {}

  /** `/api/v1` or `/apis/<group>/<version>`. */
  static basePath(apiVersion: string): string {
    return apiVersion.includes('/')
      ? `/apis/${apiVersion}`
      : `/api/${apiVersion}`;
  }

  async resource(apiVersion: string, kind: string): Promise<ApiResource> {
    let known = this.resources.get(apiVersion);
    if (!known) {
      known = this.request('GET', RawApi.basePath(apiVersion)).then(body => {
        const byKind = new Map<string, ApiResource>();
        for (const r of (body as { resources?: any[] }).resources ?? []) {
          if (typeof r.name === 'string' && !r.name.includes('/')) {
            byKind.set(r.kind, { name: r.name, namespaced: !!r.namespaced });
          }
        }
        return byKind;
      });
      known.catch(() => this.resources.delete(apiVersion));
      this.resources.set(apiVersion, known);
    }
    const resource = (await known).get(kind);
    if (!resource) {
      throw new RawApiError(
        404,
        JSON.stringify({
          message: `the cluster does not serve ${kind} in ${apiVersion}`,
        }),
        `discovery of ${apiVersion}`,
      );
    }
    return resource;
  }

  /** The URL path of an object (or of its collection, without a name). */
  async objectPath(object: ObjectRef): Promise<string> {
    const resource = await this.resource(object.apiVersion, object.kind);
    const namespace = object.metadata?.namespace;
    let path = RawApi.basePath(object.apiVersion);
    if (resource.namespaced && namespace) {
      path += `/namespaces/${encodeURIComponent(namespace)}`;
    }
    path += `/${resource.name}`;
    if (object.metadata?.name) {
      path += `/${encodeURIComponent(object.metadata.name)}`;
    }
    return path;
  }

  /** Server-side apply of `object` as it is (force: the field manager takes what it sets). */
  async apply<T>(
    object: ObjectRef,
    options: { fieldManager: string; dryRun?: boolean },
  ): Promise<T> {
    const query = new URLSearchParams({
      fieldManager: options.fieldManager,
      force: 'true',
      ...(options.dryRun ? { dryRun: 'All' } : {}),
    });
    return (await this.request(
      'PATCH',
      `${await this.objectPath(object)}?${query}`,
      {
        body: JSON.stringify(object),
        contentType: 'application/apply-patch+yaml',
      },
    )) as T;
  }

  async request(
    method: 'GET' | 'PATCH',
    path: string,
    options: { body?: string; contentType?: string } = {},
  ): Promise<unknown> {
    this.requests += 1;
    const server = new URL(this.kubeConfig.getCurrentCluster()!.server);
    const requestOptions: https.RequestOptions = {};
    await this.kubeConfig.applyToHTTPSOptions(requestOptions);
    const url = new URL(
      `${server.pathname.replace(/\/+$/, '')}${path}`,
      server.origin,
    );
    const what = `${method} ${url.pathname}`;
    return new Promise((resolve, reject) => {
      const request = https.request(
        url,
        {
          ...requestOptions,
          method,
          headers: {
            ...requestOptions.headers,
            accept: 'application/json',
            ...(options.contentType
              ? { 'content-type': options.contentType }
              : {}),
          },
          timeout: REQUEST_TIMEOUT_MS,
        },
        response => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = response.statusCode ?? 0;
            if (status < 200 || status > 299) {
              reject(new RawApiError(status, text, what));
              return;
            }
            try {
              resolve(JSON.parse(text));
            } catch (error) {
              reject(error);
            }
          });
        },
      );
      request.on('timeout', () =>
        request.destroy(
          Object.assign(
            new Error(`${what}: no answer within ${REQUEST_TIMEOUT_MS} ms`),
            { code: 'ETIMEDOUT' },
          ),
        ),
      );
      request.on('error', reject);
      request.end(options.body);
    });
  }
}
