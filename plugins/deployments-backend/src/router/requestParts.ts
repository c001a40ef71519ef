import { HttpAuthService } from '@backstage/backend-plugin-api';
import {
  CompoundEntityRef,
  makeValidator,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  APPROVAL_STATUSES,
  DeploymentErrorCode,
  isEnvironmentName,
  isDns1123Label,
  unknownFieldsMessage,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { UNKNOWN_TEAM } from '../catalog/ApplicationCatalog';
import { hasControlCharacters } from '../service/errors';
import { Request } from 'express';
import { z } from 'zod';
import {
  ParametersInvalidError,
  RequestProblem,
} from './ParametersInvalidError';

/**
 * Every route reads its parameters, query and body through these schemas
 * before it calls anything, so a bad parameter is a 400 that names it
 * before anything is recorded or applied — by construction: the handler
 * only ever sees parsed values.
 */

/** The error code of a bad value, by the field it is in. */
const FIELD_CODES: Partial<Record<string, DeploymentErrorCode>> = {
  wait: 'wait-invalid',
  timeoutSeconds: 'timeout-invalid',
  revision: 'rollback-target-invalid',
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TASK_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;
const entityNames = makeValidator();

/** `true` or `false`, exactly: anything else never falls through to either. */
export const flag = z
  .enum(['true', 'false'], { error: 'must be exactly true or false' })
  .transform(value => value === 'true');

/** A whole number of seconds from 0 to `max`. */
export function seconds(max: number, min = 0) {
  return z
    .string()
    .regex(/^\d{1,7}$/, {
      error: `must be a whole number of seconds from ${min} to ${max}`,
    })
    .transform(Number)
    .refine(value => value >= min && value <= max, {
      error: `must be a whole number of seconds from ${min} to ${max}`,
    });
}

/** A whole number from `min` to `max` (a query parameter). */
export function wholeNumber(min: number, max: number) {
  return z
    .string()
    .regex(/^\d{1,10}$/, {
      error: `must be a whole number from ${min} to ${max}`,
    })
    .transform(Number)
    .refine(value => value >= min && value <= max, {
      error: `must be a whole number from ${min} to ${max}`,
    });
}

/**
 * An environment name's shape; whether it is configured is the service's
 * check (a 400 listing the configured ones), as filters may name an
 * environment that only history still has.
 */
export const environmentName = z.string().refine(isEnvironmentName, {
  error:
    "must be an environment name: lowercase letters, digits and '-', starting with a letter, at most 30 characters (e.g. production)",
});

export const dnsLabel = z.string().refine(isDns1123Label, {
  error:
    "must be a DNS-1123 label: at most 63 lowercase letters, digits or '-', starting and ending with a letter or digit",
});

export const uuid = z.string().regex(UUID, {
  error: 'must be a UUID, e.g. 0b9c5a8e-1f4e-4c1b-9a57-3c1f2d7e9a10',
});

export const taskId = z.string().regex(TASK_ID, {
  error:
    'must be one scaffolder task id (letters, digits, - _ . :, at most 64 characters)',
});

/** A valid entity ref as the catalog spells it, or undefined. */
function canonicalEntityRef(
  value: string,
  defaults?: { defaultKind: string; defaultNamespace: string },
): string | undefined {
  let ref: CompoundEntityRef;
  try {
    ref = parseEntityRef(value, defaults);
  } catch {
    return undefined;
  }
  // Kind and namespace compare case-insensitively (the catalog's refs are
  // lowercase there); the name keeps its case.
  if (
    !entityNames.isValidKind(ref.kind) ||
    !entityNames.isValidNamespace(ref.namespace.toLocaleLowerCase('en-US')) ||
    !entityNames.isValidEntityName(ref.name)
  ) {
    return undefined;
  }
  return stringifyEntityRef(ref);
}

/**
 * An entity ref of a query parameter, checked here (so a malformed one is a
 * 400 naming the parameter, before any lookup) and written as the catalog
 * spells it: `kind:namespace/name`, the kind required, at most 255
 * characters, no control characters.
 */
function entityRefParameter(options: {
  example: string;
  defaults?: { defaultKind: string; defaultNamespace: string };
  allow?: string;
}) {
  return z.string().transform((value, ctx) => {
    const problem = (message: string) => {
      ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    };
    if (value.length > 255) return problem('must be at most 255 characters');
    if (hasControlCharacters(value)) {
      return problem('must not contain control characters');
    }
    if (options.allow !== undefined && value === options.allow) return value;
    return (
      canonicalEntityRef(value, options.defaults) ??
      problem(`must be an entity ref such as ${options.example}`)
    );
  });
}

/** The entity ref filter of /approvals and /audit: kind:namespace/name. */
export const entityRefFilter = entityRefParameter({
  example: 'component:default/payments-api (kind:namespace/name)',
});

/**
 * The team filter of /dashboard: a group ref (kind group and namespace
 * default when left out), or `unknown` for applications without a known
 * owner.
 */
export const teamFilter = entityRefParameter({
  example: `group:default/team-payments (or ${UNKNOWN_TEAM})`,
  defaults: { defaultKind: 'group', defaultNamespace: 'default' },
  allow: UNKNOWN_TEAM,
});

export const approvalStatus = z.enum(
  APPROVAL_STATUSES as [string, ...string[]],
  {
    error: `must be one of ${APPROVAL_STATUSES.join(', ')}`,
  },
);

/** The path parameters of /deployments/:environment/:namespace/:name. */
export const deploymentKeyParams = z.strictObject({
  environment: environmentName,
  namespace: dnsLabel,
  name: dnsLabel,
});

export const namespaceParams = z.strictObject({
  environment: environmentName,
  namespace: dnsLabel,
});

/** The path parameters of /entities/:kind/:namespace/:name/…. */
export const entityParams = z.strictObject({
  kind: z.string().refine(value => entityNames.isValidKind(value), {
    error: 'must be an entity kind, e.g. component',
  }),
  namespace: z.string().refine(value => entityNames.isValidNamespace(value), {
    error: 'must be an entity namespace, e.g. default',
  }),
  name: z.string().refine(value => entityNames.isValidEntityName(value), {
    error:
      "must be an entity name (letters, digits, '-', '_', '.'; at most 63 characters)",
  }),
});

export const idParams = z.strictObject({ id: uuid });

/** What mutating routes read from the query, besides their own. */
export const changeQuery = {
  taskId: taskId.optional(),
  wait: seconds(300).optional(),
  timeoutSeconds: seconds(3600, 1).optional(),
};

type Schemas = {
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
};

type Parsed<S extends Schemas> = {
  params: S['params'] extends z.ZodType ? z.output<S['params']> : undefined;
  query: S['query'] extends z.ZodType ? z.output<S['query']> : undefined;
  body: S['body'] extends z.ZodType ? z.output<S['body']> : undefined;
  idempotencyKey?: string;
};

function fieldOf(where: string, path: PropertyKey[]): string {
  const inner = path
    .map((part, i) =>
      typeof part === 'number' ? `[${part}]` : `${i ? '.' : ''}${String(part)}`,
    )
    .join('');
  return inner ? `${where === 'body' ? '' : `${where} `}${inner}` : where;
}

/**
 * Parses every part of a request, or throws a ParametersInvalidError (400)
 * that lists each problem with its field. A query parameter given twice
 * (`?a=1&a=2`) or as an object (`?a[b]=1`) is refused, whatever its schema.
 */
export function parseRequest<S extends Schemas>(
  req: Request,
  schemas: S,
): Parsed<S> {
  const problems: Array<RequestProblem & { code?: DeploymentErrorCode }> = [];
  for (const [key, value] of Object.entries(req.query)) {
    if (typeof value !== 'string') {
      problems.push({
        field: `query ${key}`,
        message: 'must be given once, as a plain value (e.g. ?wait=30)',
        code: FIELD_CODES[key],
      });
    }
  }
  const parsed: Record<string, unknown> = {};
  for (const where of ['params', 'query', 'body'] as const) {
    const schema = schemas[where];
    if (!schema) continue;
    const input = where === 'query' ? req.query : req[where];
    const result = schema.safeParse(
      input ?? (where === 'body' ? undefined : {}),
    );
    if (result.success) {
      parsed[where] = result.data;
      continue;
    }
    for (const issue of result.error.issues) {
      const field = fieldOf(where, issue.path);
      if (problems.some(p => p.field === field)) continue;
      problems.push({
        field,
        message:
          issue.code === 'unrecognized_keys'
            ? unknownFieldsMessage(issue.keys)
            : issue.message,
        code: FIELD_CODES[String(issue.path[0])],
      });
    }
  }
  const key = req.header('idempotency-key');
  if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
    problems.push({
      field: 'header Idempotency-Key',
      message: 'must be 1 to 200 printable ASCII characters without spaces',
    });
  }
  if (problems.length > 0) {
    throw new ParametersInvalidError(
      problems,
      problems.find(p => p.code)?.code ?? 'parameter-invalid',
    );
  }
  return { ...(parsed as Parsed<S>), idempotencyKey: key };
}

/**
 * The caller's credentials: `any` for reads (users and services), `user`
 * for changes, which always act for a person.
 */
export function callerCredentials(httpAuth: HttpAuthService) {
  return {
    any: (req: Request) =>
      httpAuth.credentials(req, { allow: ['user', 'service'] }),
    user: (req: Request) => httpAuth.credentials(req, { allow: ['user'] }),
  };
}
