import { makeValidator, parseEntityRef } from '@backstage/catalog-model';
import { z } from 'zod';
import { IMAGE_REPOSITORY_PATTERN } from './annotations';
import { EnvironmentName, isEnvironmentName } from './environments';
import { isDns1123Label, isQuantity, quantityValue } from './kubernetes';
import { isCidr, isLinkLocalRange } from './addresses';

// Every message says what is wrong and what is expected; the field is the
// issue's path. Keep them in step with docs/docs/troubleshooting.md.

const dnsLabel = (what: string) =>
  z
    .string({
      error: `${what} is required: a DNS-1123 label, e.g. payments-api`,
    })
    .refine(isDns1123Label, {
      error: `${what} must be a DNS-1123 label: at most 63 lowercase letters, digits or '-', starting and ending with a letter or digit`,
    });

const quantity = (what: string, example: string) =>
  z
    .string({
      error: `${what} is required: a Kubernetes quantity such as ${example}`,
    })
    .refine(isQuantity, {
      error: `${what} must be a Kubernetes quantity such as ${example}`,
    })
    .refine(value => !isQuantity(value) || (quantityValue(value) ?? 0) > 0, {
      error: `${what} must be greater than zero, e.g. ${example}`,
    });

const entityNames = makeValidator();

/**
 * An entity reference of one kind, checked as the catalog would (kind,
 * namespace and name each valid) and written out in full, e.g.
 * `payments-api` becomes `component:default/payments-api`.
 */
const entityRef = (kind: string, example: string) =>
  z
    .string({
      error: `a ${kind} entity reference is required, e.g. ${example}`,
    })
    .max(255, { error: 'must be at most 255 characters' })
    .transform((value, ctx) => {
      try {
        const ref = parseEntityRef(value, {
          defaultKind: kind,
          defaultNamespace: 'default',
        });
        if (
          ref.kind.toLowerCase() === kind &&
          entityNames.isValidNamespace(ref.namespace) &&
          entityNames.isValidEntityName(ref.name)
        ) {
          return `${kind}:${ref.namespace}/${ref.name}`;
        }
      } catch {
        // reported below
      }
      ctx.addIssue({
        code: 'custom',
        message: `must be a ${kind} entity reference such as ${example}`,
      });
      return z.NEVER;
    });

const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

/**
 * The longest image repository (Docker's limit for a repository name).
 * With the longest tag (128) and a digest (71) the full reference
 * `repository:tag@digest` is at most 456 characters, so it always fits the
 * 512-character image columns of records, approvals and the audit trail.
 */
const MAX_IMAGE_REPOSITORY_LENGTH = 255;

/**
 * The longest name Kubernetes takes for an object or a ConfigMap/Secret key
 * (253, a DNS-1123 subdomain's limit): env var names and secret keys are
 * ConfigMap and Secret keys.
 */
/** How far ahead of this clock a build time may be (other clocks drift). */
const MAX_CLOCK_SKEW_MS = 5 * 60_000;

const MAX_KEY_LENGTH = 253;

/** Container image: repository plus a tag, a digest or both. */
export const imageSchema = z
  .strictObject({
    repository: z
      .string({
        error: 'image repository is required, e.g. ghcr.io/acme/payments-api',
      })
      .max(MAX_IMAGE_REPOSITORY_LENGTH, {
        error: `image repository must be at most ${MAX_IMAGE_REPOSITORY_LENGTH} characters`,
      })
      .regex(IMAGE_REPOSITORY_PATTERN, {
        error:
          'must be an image repository without tag or digest, e.g. ghcr.io/acme/payments-api',
      }),
    tag: z
      .string()
      .regex(TAG, {
        error:
          "must be an image tag: letters, digits, '_', '.' or '-', at most 128 characters, e.g. 1.4.2",
      })
      .optional(),
    digest: z
      .string()
      .regex(DIGEST, {
        error:
          'must be an image digest: sha256: followed by 64 lowercase hex digits',
      })
      .optional(),
  })
  .refine(image => image.tag !== undefined || image.digest !== undefined, {
    error: 'image needs a tag or a digest, e.g. tag 1.4.2 or digest sha256:…',
    path: ['tag'],
  });

const resourceValues = (kind: 'requests' | 'limits') =>
  z.strictObject({
    cpu: quantity(`${kind}.cpu`, kind === 'requests' ? '100m' : '500m'),
    memory: quantity(`${kind}.memory`, kind === 'requests' ? '128Mi' : '256Mi'),
  });

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const envName = z
  .string({ error: 'env var name is required' })
  .max(MAX_KEY_LENGTH, {
    error: `env var name must be at most ${MAX_KEY_LENGTH} characters (a ConfigMap key)`,
  })
  .regex(ENV_NAME, {
    error:
      "must be an environment variable name: letters, digits and '_', not starting with a digit, e.g. DATABASE_URL",
  });

/** A plain environment variable: the value ends up in a ConfigMap. */
export const plainEnvVarSchema = z.strictObject({
  name: envName,
  value: z.string({ error: 'value is required (use "" for empty)' }),
});

/** An environment variable read from a Kubernetes Secret; never a literal. */
export const secretEnvVarSchema = z.strictObject({
  name: envName,
  secretKeyRef: z.strictObject({
    name: dnsLabel('secretKeyRef.name'),
    key: z
      .string({ error: 'secretKeyRef.key is required' })
      .max(MAX_KEY_LENGTH, {
        error: `secretKeyRef.key must be at most ${MAX_KEY_LENGTH} characters (a Secret key)`,
      })
      .regex(/^[-._a-zA-Z0-9]+$/, {
        error:
          "secretKeyRef.key must consist of letters, digits, '-', '_' or '.'",
      }),
  }),
});

export const envVarSchema = z.union([plainEnvVarSchema, secretEnvVarSchema], {
  error:
    'each env var is { name, value } or { name, secretKeyRef: { name, key } }',
});

const httpPath = (what: string, fallback: string) =>
  z
    .string()
    .regex(/^\/[^\s]*$/, {
      error: `${what} must be an absolute HTTP path starting with '/', e.g. ${fallback}`,
    })
    .default(fallback);

export const DEFAULT_HEALTH = {
  liveness: '/health',
  readiness: '/api/v2/ready',
  info: '/api/v2/health',
} as const;

/**
 * A destination the workload may reach besides DNS and its own pods (the
 * rendered NetworkPolicy denies every other egress): a CIDR or a namespace,
 * with the TCP ports.
 */
const egressSchema = z
  .strictObject({
    cidr: z
      .string()
      .refine(isCidr, {
        error:
          'egress cidr must be an IP range such as 10.20.0.0/16 or 2001:db8::/48',
      })
      .refine(cidr => !isLinkLocalRange(cidr), {
        error:
          'egress cidr must not be link-local (169.254.0.0/16, fe80::/10): that is where the cloud metadata endpoint lives',
      })
      .optional(),
    namespace: dnsLabel('egress namespace').optional(),
    ports: z
      .array(
        z
          .number({ error: 'egress ports must be port numbers 1-65535' })
          .int({ error: 'egress ports must be port numbers 1-65535' })
          .min(1, { error: 'egress ports must be port numbers 1-65535' })
          .max(65535, { error: 'egress ports must be port numbers 1-65535' }),
      )
      .min(1, { error: 'egress needs at least one port, e.g. [5432]' })
      .max(10, { error: 'egress may list at most 10 ports per destination' }),
  })
  .refine(d => (d.cidr === undefined) !== (d.namespace === undefined), {
    error:
      'egress destination needs exactly one of cidr (e.g. 10.20.0.0/16) or namespace (e.g. payments-db)',
  });

export const deploymentRequestSchema = z
  .strictObject({
    application: entityRef('component', 'component:default/payments-api'),
    // The shape only: which environments exist is configuration, checked
    // by the backend against deployments.environments.
    environment: z.custom<EnvironmentName>(isEnvironmentName, {
      error:
        "must be the name of a configured environment, e.g. production (lowercase letters, digits and '-')",
    }),
    namespace: dnsLabel('namespace'),
    /** Name of the Kubernetes objects; defaults to the application's name. */
    name: dnsLabel('name').optional(),
    image: imageSchema,
    replicas: z
      .number({ error: 'replicas must be a whole number, e.g. 2' })
      .int({ error: 'replicas must be a whole number, e.g. 2' })
      .min(0, { error: 'replicas must be 0 or more' })
      .max(100, { error: 'replicas must be at most 100' })
      .default(1),
    resources: z.strictObject({
      requests: resourceValues('requests'),
      limits: resourceValues('limits'),
    }),
    env: z.array(envVarSchema).default([]),
    ports: z
      .array(
        z.strictObject({
          name: z
            .string({ error: 'port name is required, e.g. http' })
            .refine(isIanaServiceName, {
              error:
                "port name must be an IANA service name: at most 15 lowercase letters, digits or '-', with at least one letter, no '-' at either end and no '--', e.g. http",
            }),
          containerPort: z
            .number({ error: 'containerPort must be a port number 1-65535' })
            .int({ error: 'containerPort must be a port number 1-65535' })
            .min(1, { error: 'containerPort must be a port number 1-65535' })
            .max(65535, {
              error: 'containerPort must be a port number 1-65535',
            }),
        }),
      )
      .min(1, {
        error:
          'at least one container port is needed, e.g. { name: http, containerPort: 8000 }',
      })
      .default([{ name: 'http', containerPort: 8000 }]),
    health: z
      .strictObject({
        liveness: httpPath('health.liveness', DEFAULT_HEALTH.liveness),
        readiness: httpPath('health.readiness', DEFAULT_HEALTH.readiness),
        info: httpPath('health.info', DEFAULT_HEALTH.info),
      })
      .default({ ...DEFAULT_HEALTH }),
    autoscaling: z
      .strictObject({
        minReplicas: z
          .number()
          .int()
          .min(1, { error: 'autoscaling.minReplicas must be at least 1' }),
        maxReplicas: z
          .number()
          .int()
          .min(1, { error: 'autoscaling.maxReplicas must be at least 1' }),
        targetCPUUtilizationPercentage: z
          .number()
          .int()
          .min(10, {
            error:
              'autoscaling.targetCPUUtilizationPercentage must be between 10 and 95',
          })
          .max(95, {
            error:
              'autoscaling.targetCPUUtilizationPercentage must be between 10 and 95',
          })
          .default(70),
      })
      .refine(a => a.minReplicas <= a.maxReplicas, {
        error:
          'autoscaling.minReplicas must not exceed autoscaling.maxReplicas',
        path: ['maxReplicas'],
      })
      .optional(),
    egress: z
      .array(egressSchema)
      .max(20, {
        error: 'egress may list at most 20 destinations; use a wider CIDR',
      })
      .default([]),
    changeReference: z
      .string({
        error:
          'changeReference must be a ticket URL, e.g. https://jira.acme.example/browse/OPS-123',
      })
      .max(512, { error: 'changeReference must be at most 512 characters' })
      // eslint-disable-next-line no-control-regex
      .refine(value => !/[\u0000-\u001f\u007f-\u009f]/.test(value), {
        error: 'changeReference must not contain control characters',
      })
      .refine(isHttpUrl, {
        error:
          'changeReference must be an http(s) URL of a ticket, e.g. https://jira.acme.example/browse/OPS-123',
      })
      .optional(),
    /**
     * When the deployed build was made (CI's build time, ISO 8601); lead
     * time in the delivery insights runs from here.
     */
    builtAt: z.iso
      .datetime({
        offset: true,
        error:
          'builtAt must be an ISO 8601 time with a zone, e.g. 2026-12-01T09:30:00Z',
      })
      .refine(value => Date.parse(value) <= Date.now() + MAX_CLOCK_SKEW_MS, {
        error:
          'builtAt must not be in the future; give the time the build was made',
      })
      .optional(),
    requester: entityRef('user', 'user:default/ada'),
  })
  .superRefine((request, ctx) => {
    checkDerivedNames(request, ctx);
    const names = new Set<string>();
    request.env.forEach((envVar, index) => {
      if (names.has(envVar.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['env', index, 'name'],
          message: `env var ${envVar.name} is defined twice; keep one`,
        });
      }
      names.add(envVar.name);
    });
  });

/** The env vars of a request that reference a Secret, with their index. */
export function secretReferences(request: Pick<DeploymentRequest, 'env'>) {
  const refs: Array<{ index: number; secret: string; variable: string }> = [];
  request.env.forEach((envVar, index) => {
    if ('secretKeyRef' in envVar) {
      refs.push({
        index,
        secret: envVar.secretKeyRef.name,
        variable: envVar.name,
      });
    }
  });
  return refs;
}

/** Whether a value is an http or https URL (what a change reference may be). */
export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (
      (url.protocol === 'https:' || url.protocol === 'http:') && !!url.host
    );
  } catch {
    return false;
  }
}

/** A Kubernetes port name (IANA_SVC_NAME). */
export function isIanaServiceName(value: string): boolean {
  return (
    value.length >= 1 &&
    value.length <= 15 &&
    /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(value) &&
    /[a-z]/.test(value) &&
    !value.includes('--')
  );
}

/** The longest label value Kubernetes takes. */
const MAX_LABEL_VALUE = 63;

/**
 * The names the renderer derives from the request must be names Kubernetes
 * accepts: the workload's name (the entity's name by default) names a
 * Service too, so it starts with a letter, and with the environment it is
 * the `app.kubernetes.io/instance` label, at most 63 characters.
 */
function checkDerivedNames(
  request: {
    application: string;
    environment: string;
    name?: string;
  },
  ctx: z.RefinementCtx,
) {
  let name = request.name;
  if (name === undefined) {
    try {
      name = parseEntityRef(request.application).name;
    } catch {
      return; // the application field reports it
    }
  }
  const field = request.name === undefined ? 'application' : 'name';
  const problem = (message: string) =>
    ctx.addIssue({ code: 'custom', path: [field], message });
  if (!isDns1123Label(name) || !/^[a-z]/.test(name)) {
    problem(
      request.name === undefined
        ? `the application's name ${name.slice(
            0,
            63,
          )} cannot name Kubernetes objects (a lowercase letter, then lowercase letters, digits or '-', at most 63); set name to one that can, e.g. payments-api`
        : "name must start with a lowercase letter: it also names the Service (then lowercase letters, digits or '-')",
    );
    return;
  }
  const max = MAX_LABEL_VALUE - request.environment.length - 1;
  if (name.length > max) {
    problem(
      `${field === 'name' ? 'name' : `the application's name ${name}`} is ${
        name.length
      } characters; in ${
        request.environment
      } at most ${max} fit: the label app.kubernetes.io/instance is <name>-${
        request.environment
      } (at most ${MAX_LABEL_VALUE})${
        field === 'application' ? '; set a shorter name' : ''
      }`,
    );
  }
}

/** A validated deployment request, defaults applied. */
export type DeploymentRequest = z.output<typeof deploymentRequestSchema>;
/** What a client sends: defaults may be left out. */
export type DeploymentRequestInput = z.input<typeof deploymentRequestSchema>;
export type EnvVar = z.output<typeof envVarSchema>;

/** One problem with a request: which field, and what is wrong and expected. */
export type RequestValidationError = { field: string; message: string };

export type RequestParseResult =
  | { success: true; request: DeploymentRequest }
  | { success: false; errors: RequestValidationError[] };

function fieldOf(path: PropertyKey[]): string {
  return path
    .map((part, i) =>
      typeof part === 'number' ? `[${part}]` : `${i ? '.' : ''}${String(part)}`,
    )
    .join('');
}

/** How many unknown fields a message names; the rest are counted. */
const MAX_NAMED_FIELDS = 5;
/** How much of an unknown field's name a message quotes. */
const MAX_FIELD_NAME = 24;

/**
 * The message of unknown fields, e.g. `unknown field x: remove it` or
 * `unknown fields a, b and 3 more: remove them`: at most 5 fields, each cut
 * to 24 characters and without control characters, so the message stays
 * under 200 characters whatever a caller sends.
 *
 * @public
 */
export function unknownFieldsMessage(keys: readonly string[]): string {
  const named = keys.slice(0, MAX_NAMED_FIELDS).map(key => {
    // eslint-disable-next-line no-control-regex
    const printable = key.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
    return printable.length > MAX_FIELD_NAME
      ? `${printable.slice(0, MAX_FIELD_NAME - 1)}…`
      : printable;
  });
  const more = keys.length - named.length;
  return `unknown field${keys.length > 1 ? 's' : ''} ${named.join(', ')}${
    more > 0 ? ` and ${more} more` : ''
  }: remove ${keys.length > 1 ? 'them' : 'it'}`;
}

/**
 * Validates a deployment request. Unknown fields are rejected; every error
 * names its field.
 */
export function parseDeploymentRequest(input: unknown): RequestParseResult {
  const result = deploymentRequestSchema.safeParse(input);
  if (result.success) {
    return { success: true, request: result.data };
  }
  return {
    success: false,
    errors: result.error.issues.map(issue => {
      if (issue.code === 'unrecognized_keys') {
        return {
          field: fieldOf(issue.path) || '(request)',
          message: unknownFieldsMessage(issue.keys),
        };
      }
      return {
        field: fieldOf(issue.path) || '(request)',
        message: issue.message,
      };
    }),
  };
}

/** The image reference as Kubernetes pulls it: by digest when one is given. */
export function imageReference(image: DeploymentRequest['image']): string {
  if (image.digest) {
    return `${image.repository}@${image.digest}`;
  }
  return `${image.repository}:${image.tag}`;
}
