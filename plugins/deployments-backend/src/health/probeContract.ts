import {
  EnvironmentName,
  HealthContractResult,
  ProbeResult,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { performance } from 'node:perf_hooks';
import { describeNetworkError, HttpAnswer } from './httpGet';
import { Limiter } from './Limiter';

/** The health contract's three paths, relative to the service's base URL. */
export const CONTRACT_PATHS = {
  liveness: '/health',
  info: '/api/v2/health',
  readiness: '/api/v2/ready',
} as const;

/** Fetches a contract path relative to the target; the transport varies. */
export type ContractFetcher = (
  path: string,
  signal: AbortSignal,
) => Promise<HttpAnswer>;

/** The longest text of a service we pass on (database status and the like). */
const MAX_FIELD_LENGTH = 200;

/**
 * Probes the three endpoints of the health contract in parallel through
 * `limiter`. Every probe ends by the signal's deadline; a probe that gets no
 * answer is `unreachable` with the reason. Only the fields of views.ts are
 * taken from a body.
 */
export async function probeContract(options: {
  environment: EnvironmentName;
  /** The base URL to show, without credentials. */
  displayUrl: string;
  fetch: ContractFetcher;
  limiter: Limiter;
  signal: AbortSignal;
  budgetMs: number;
  /** Recognises an answer of an intermediary (the API server's proxy) rather than the service. */
  intermediary?: (answer: HttpAnswer) => string | undefined;
}): Promise<HealthContractResult> {
  const probe = async (path: string) => {
    const url = joinUrl(options.displayUrl, path);
    let started = performance.now();
    try {
      const answer = await options.limiter.run(() => {
        started = performance.now();
        return options.fetch(path, options.signal);
      }, options.signal);
      const responseTimeMs = Math.round(performance.now() - started);
      const proxyError = options.intermediary?.(answer);
      if (proxyError) {
        return {
          answer: undefined,
          result: {
            status: 'unreachable',
            url,
            httpStatus: answer.status,
            responseTimeMs,
            error: proxyError,
          } as ProbeResult,
        };
      }
      return {
        answer,
        result: {
          status: answer.status === 200 ? 'up' : 'down',
          url,
          httpStatus: answer.status,
          responseTimeMs,
          error: answer.status === 200 ? undefined : statusError(answer.status),
        } as ProbeResult,
      };
    } catch (error) {
      return {
        answer: undefined,
        result: {
          status: 'unreachable',
          url,
          error: describeNetworkError(error, options),
        } as ProbeResult,
      };
    }
  };

  const [liveness, info, readiness] = await Promise.all([
    probe(CONTRACT_PATHS.liveness),
    probe(CONTRACT_PATHS.info),
    probe(CONTRACT_PATHS.readiness),
  ]);

  return {
    liveness: clean(liveness.result),
    readiness: readinessOf(readiness.result, readiness.answer),
    info: infoOf(info.result, info.answer, options.environment),
  };
}

function readinessOf(
  result: ProbeResult,
  answer: HttpAnswer | undefined,
): HealthContractResult['readiness'] {
  const body = answer ? jsonObject(answer.body) : undefined;
  const database = text(body?.database);
  if (result.status === 'down' && answer?.status === 503) {
    return clean({
      ...result,
      database,
      error: `not ready (503)${database ? `, database: ${database}` : ''}`,
    });
  }
  return clean({ ...result, database });
}

function infoOf(
  result: ProbeResult,
  answer: HttpAnswer | undefined,
  expected: EnvironmentName,
): HealthContractResult['info'] {
  if (result.status !== 'up' || !answer) {
    return clean(result);
  }
  const body = jsonObject(answer.body);
  const environment = text(body?.environment);
  const timestamp = text(body?.timestamp);
  if (!body || !environment || !timestamp) {
    return clean({
      ...result,
      environment,
      timestamp,
      status: 'down',
      error:
        'answered 200 without a JSON body with environment and timestamp (see the health contract)',
    });
  }
  if (Number.isNaN(Date.parse(timestamp))) {
    return clean({
      ...result,
      environment,
      timestamp,
      status: 'down',
      error: `timestamp '${timestamp}' is not an ISO 8601 time`,
    });
  }
  if (environment !== expected) {
    return clean({
      ...result,
      environment,
      timestamp,
      status: 'down',
      error: `reports environment '${environment}', expected '${expected}': check the service's configuration`,
    });
  }
  return clean({ ...result, environment, timestamp });
}

function statusError(status: number): string {
  if (status >= 300 && status < 400) {
    return `answered ${status}, a redirect; redirects are not followed: point the target at the final address`;
  }
  return `answered ${status}, expected 200`;
}

function jsonObject(body: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(body);
    return value && typeof value === 'object' && !Array.isArray(value)
      ? value
      : undefined;
  } catch {
    return undefined;
  }
}

function text(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  return value.length > MAX_FIELD_LENGTH
    ? `${value.slice(0, MAX_FIELD_LENGTH)}…`
    : value;
}

/** Drops undefined fields, so results compare and serialise cleanly. */
function clean<T extends object>(value: T): T {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== undefined),
  ) as T;
}

/** `base` + contract path, keeping the base's path prefix. */
export function joinUrl(base: string, path: string): string {
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`;
  url.search = '';
  url.hash = '';
  return url.toString();
}

/** The contract with every probe `unreachable` for the same reason. */
export function unreachableContract(
  target: string,
  error: string,
): HealthContractResult {
  const result = (path: string) => ({
    status: 'unreachable' as const,
    url: joinUrl(target, path),
    error,
  });
  return {
    liveness: result(CONTRACT_PATHS.liveness),
    readiness: result(CONTRACT_PATHS.readiness),
    info: result(CONTRACT_PATHS.info),
  };
}
