import { Config } from '@backstage/config';
import { EnvironmentName } from '@deployments-portal/backstage-plugin-deployments-common';
import { EnvironmentConfig } from '../service/readEnvironments';
import { OwnEndpoint } from './TargetGuard';

/** How one environment's services are probed. */
export type EnvironmentHealthSettings = {
  /** Budget for the whole environment: probes and Kubernetes reads. */
  timeoutMs: number;
  /**
   * `direct`: the backend calls the target URL; `service-proxy`: through the
   * API server's service proxy, for services only reachable in the cluster.
   */
  via: 'direct' | 'service-proxy';
  /** Base URL pattern with `{{ application }}` and `{{ environment }}`. */
  urlPattern?: string;
  /** Service port (name or number) for the service proxy. */
  servicePort: string;
};

/** `deployments.health` and each environment's `health`, validated. */
export type HealthSettings = {
  concurrency: number;
  cacheSeconds: number;
  unreachableRetrySeconds: number;
  allowedTargets: string[];
  /** Where the portal itself listens; probes never go there unless allowed. */
  ownEndpoints: OwnEndpoint[];
  environments: Map<EnvironmentName, EnvironmentHealthSettings>;
};

const DEFAULT_TIMEOUT_MS = 2000;
const DEFAULT_CONCURRENCY = 8;
const DEFAULT_CACHE_SECONDS = 10;
const DEFAULT_UNREACHABLE_RETRY_SECONDS = 30;

function bounded(
  config: Config,
  key: string,
  fallback: number,
  min: number,
  max: number,
  path: string,
): number {
  const value = config.getOptionalNumber(key) ?? fallback;
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new Error(
      `Invalid config at ${path}.${key}: ${value} is out of range; use a number from ${min} to ${max}`,
    );
  }
  return value;
}

/**
 * Where the backend listens, read as Backstage's HTTP server reads
 * `backend.listen`: `port`, `host:port` or `{ host, port }`; by default every
 * address, port 7007.
 */
function readListen(config: Config): OwnEndpoint {
  const listen = config.getOptional('backend.listen');
  if (typeof listen === 'string' || typeof listen === 'number') {
    const parts = String(listen).split(':');
    const port = Number(parts[parts.length - 1]);
    return {
      host: parts.length === 2 ? parts[0] : '',
      port: Number.isInteger(port) ? port : 7007,
    };
  }
  return {
    host: config.getOptionalString('backend.listen.host') ?? '',
    port: config.getOptionalNumber('backend.listen.port') ?? 7007,
  };
}

/** Reads the health settings; fails at start-up naming the offending key. */
export function readHealthSettings(
  config: Config,
  environments: EnvironmentConfig[],
): HealthSettings {
  const health = config.getOptionalConfig('deployments.health');
  const base = 'deployments.health';
  const timeoutMs = health
    ? bounded(health, 'timeoutMs', DEFAULT_TIMEOUT_MS, 100, 60_000, base)
    : DEFAULT_TIMEOUT_MS;

  const perEnvironment = new Map<EnvironmentName, EnvironmentHealthSettings>();
  for (const environment of environments) {
    const path = `deployments.environments.${environment.name}.health`;
    const env = config.getOptionalConfig(path);
    const via = env?.getOptionalString('via') ?? 'direct';
    if (via !== 'direct' && via !== 'service-proxy') {
      throw new Error(
        `Invalid config at ${path}.via: '${via}' is not 'direct' or 'service-proxy'`,
      );
    }
    const urlPattern = env?.getOptionalString('urlPattern');
    if (urlPattern !== undefined) {
      if (via === 'service-proxy') {
        throw new Error(
          `Invalid config at ${path}: urlPattern and via: service-proxy exclude each other; the service proxy finds the service by name`,
        );
      }
      let url: URL | undefined;
      try {
        url = new URL(
          urlPattern
            .replace(/\{\{\s*application\s*\}\}/g, 'app')
            .replace(/\{\{\s*environment\s*\}\}/g, environment.name),
        );
      } catch {
        url = undefined;
      }
      if (!url || !['http:', 'https:'].includes(url.protocol)) {
        throw new Error(
          `Invalid config at ${path}.urlPattern: '${urlPattern}' is not an http(s) URL pattern, e.g. https://{{ application }}.{{ environment }}.acme.internal`,
        );
      }
    }
    const servicePort = env?.getOptional('servicePort') ?? 'http';
    if (
      (typeof servicePort !== 'string' && typeof servicePort !== 'number') ||
      !/^([a-z0-9]([-a-z0-9]*[a-z0-9])?|\d{1,5})$/.test(String(servicePort))
    ) {
      throw new Error(
        `Invalid config at ${path}.servicePort: use a port name such as 'http' or a number`,
      );
    }
    perEnvironment.set(environment.name, {
      timeoutMs: env
        ? bounded(env, 'timeoutMs', timeoutMs, 100, 60_000, path)
        : timeoutMs,
      via,
      urlPattern,
      servicePort: String(servicePort),
    });
  }

  const backend = config.getOptionalConfig('backend');
  const ownEndpoints: OwnEndpoint[] = [readListen(config)];
  const baseUrl = backend?.getOptionalString('baseUrl');
  if (baseUrl) {
    const url = new URL(baseUrl);
    ownEndpoints.push({
      host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
    });
  }

  return {
    concurrency: health
      ? bounded(health, 'concurrency', DEFAULT_CONCURRENCY, 1, 256, base)
      : DEFAULT_CONCURRENCY,
    cacheSeconds: health
      ? bounded(health, 'cacheSeconds', DEFAULT_CACHE_SECONDS, 0, 3600, base)
      : DEFAULT_CACHE_SECONDS,
    unreachableRetrySeconds: health
      ? bounded(
          health,
          'unreachableRetrySeconds',
          DEFAULT_UNREACHABLE_RETRY_SECONDS,
          0,
          3600,
          base,
        )
      : DEFAULT_UNREACHABLE_RETRY_SECONDS,
    allowedTargets: health?.getOptionalStringArray('allowedTargets') ?? [],
    ownEndpoints,
    environments: perEnvironment,
  };
}
