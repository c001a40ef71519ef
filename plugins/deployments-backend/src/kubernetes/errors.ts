import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { withErrorCode } from '@deployments-portal/backstage-plugin-deployments-common';

type ApiError = Error & {
  code?: number | string;
  body?: unknown;
  cause?: unknown;
};

function statusOf(body: unknown): {
  message?: string;
  causes?: Array<{ field?: string; message?: string }>;
} {
  try {
    const status = typeof body === 'string' ? JSON.parse(body) : body;
    return {
      message: status?.message,
      causes: status?.details?.causes,
    };
  } catch {
    return {};
  }
}

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

function networkCode(error: unknown): string | undefined {
  let node = error as ApiError | undefined;
  for (let depth = 0; node && depth < 5; depth++) {
    if (typeof node.code === 'string' && UNREACHABLE.has(node.code)) {
      return node.code;
    }
    node = node.cause as ApiError | undefined;
  }
  const message = String((error as Error)?.message);
  if (/Premature close/.test(message)) return 'connection lost';
  return /fetch failed|socket hang up|ECONNREFUSED/.test(message)
    ? 'ECONNREFUSED'
    : undefined;
}

/**
 * Turns a Kubernetes client failure into a Backstage error a user can act
 * on: what the cluster refused and where. Never includes tokens or stacks.
 */
export function mapKubernetesError(
  error: unknown,
  where: { cluster: string; namespace?: string; what: string },
): Error {
  const place = `${where.what} in cluster ${where.cluster}${
    where.namespace ? `, namespace ${where.namespace}` : ''
  }`;
  const network = networkCode(error);
  if (network) {
    return withErrorCode(
      new ServiceUnavailableError(
        `Cluster ${
          where.cluster
        } is unreachable (${network}) while trying to ${place.replace(/^./, c =>
          c.toLowerCase(),
        )}`,
      ),
      'cluster-unreachable',
    );
  }
  const apiError = error as ApiError;
  const code = typeof apiError.code === 'number' ? apiError.code : undefined;
  const status = statusOf(apiError.body);
  const reason = status.message ?? apiError.message;
  switch (code) {
    case 401:
    case 403:
      return withErrorCode(
        new NotAllowedError(
          `Kubernetes refused: ${reason} (${place}); the portal's service account lacks the rights - ask the platform team`,
        ),
        'kubernetes-forbidden',
      );
    case 404:
      return withErrorCode(
        new NotFoundError(`Not found in Kubernetes: ${reason} (${place})`),
        'kubernetes-not-found',
      );
    case 409:
      return withErrorCode(
        new ConflictError(`Kubernetes conflict: ${reason} (${place})`),
        'kubernetes-conflict',
      );
    case 400:
    case 422: {
      const fields = (status.causes ?? [])
        .map(c => `${c.field}: ${c.message}`)
        .join('; ');
      return withErrorCode(
        new InputError(
          `Kubernetes rejected the object: ${fields || reason} (${place})`,
        ),
        'kubernetes-invalid',
      );
    }
    default:
      return withErrorCode(
        new ServiceUnavailableError(
          `Kubernetes error${code ? ` ${code}` : ''}: ${reason} (${place})`,
        ),
        'kubernetes-error',
      );
  }
}
