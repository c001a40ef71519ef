import {
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { deploymentsConfigReadPermission } from '@deployments-portal/backstage-plugin-deployments-common';
import { NextFunction, Request, Response } from 'express';

/** A plain env var as non-owners see it: the name, never the value. */
export type RedactedEnvVar = { name: string; redacted: true };

type WithRequest = { entityRef: string; request: { env: unknown[] } };

/**
 * Need-to-know for configuration: every JSON answer of the API passes here
 * before it is sent. Anything in it that carries an application's request
 * (records, changes, approvals, dashboard rows: an object with `entityRef`
 * and `request.env`) keeps its plain env values only when the caller may
 * `deployments.deployment.config.read` that application; otherwise each
 * plain value becomes `{ name, redacted: true }`. Secret references
 * (`secretKeyRef`) are names already and stay. One permission call per
 * answer, for all the applications in it. Done on the answer, not in each
 * route, so no route can forget it.
 */
export function redactConfigValues(options: {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
}) {
  const { httpAuth, permissions } = options;
  return (req: Request, res: Response, next: NextFunction) => {
    const send = res.json.bind(res);
    res.json = (body?: unknown) => {
      const carriers = collect(body);
      if (carriers.length === 0) return send(body);
      readableRefs(req, carriers)
        .then(allowed => {
          send(redact(body, allowed));
        })
        .catch(next);
      return res;
    };
    next();
  };

  async function readableRefs(
    req: Request,
    carriers: WithRequest[],
  ): Promise<Set<string>> {
    let credentials: BackstageCredentials;
    try {
      credentials = await httpAuth.credentials(req, {
        allow: ['user', 'service'],
      });
    } catch {
      return new Set();
    }
    const refs = [...new Set(carriers.map(c => c.entityRef))];
    const decisions = await permissions.authorize(
      refs.map(resourceRef => ({
        permission: deploymentsConfigReadPermission,
        resourceRef,
      })),
      { credentials },
    );
    return new Set(
      refs.filter((_, i) => decisions[i].result === AuthorizeResult.ALLOW),
    );
  }
}

function isCarrier(value: unknown): value is WithRequest {
  const candidate = value as Partial<WithRequest> | null;
  return (
    typeof candidate?.entityRef === 'string' &&
    typeof candidate.request === 'object' &&
    candidate.request !== null &&
    Array.isArray(candidate.request.env) &&
    candidate.request.env.some(
      v => typeof (v as { value?: unknown })?.value === 'string',
    )
  );
}

function collect(value: unknown, found: WithRequest[] = []): WithRequest[] {
  if (Array.isArray(value)) {
    value.forEach(item => collect(item, found));
  } else if (value && typeof value === 'object') {
    if (isCarrier(value)) found.push(value);
    Object.values(value).forEach(item => collect(item, found));
  }
  return found;
}

/** A copy of `value` with the plain env values of unreadable applications replaced. */
function redact(value: unknown, allowed: Set<string>): unknown {
  if (Array.isArray(value)) {
    return value.map(item => redact(item, allowed));
  }
  if (!value || typeof value !== 'object') return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    copy[key] = redact(item, allowed);
  }
  if (isCarrier(value) && !allowed.has(value.entityRef)) {
    const request = copy.request as { env: unknown[] };
    copy.request = {
      ...request,
      env: request.env.map(envVar => {
        const v = envVar as { name: string; value?: unknown };
        return typeof v.value === 'string'
          ? ({ name: v.name, redacted: true } satisfies RedactedEnvVar)
          : envVar;
      }),
    };
  }
  return copy;
}
