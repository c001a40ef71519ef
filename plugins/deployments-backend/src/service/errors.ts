import { InputError } from '@backstage/errors';
import {
  DeploymentErrorCode,
  PolicyViolation,
  RequestValidationError,
} from '@deployments-portal/backstage-plugin-deployments-common';

/** How many problems an error lists; the rest are counted (`more`). */
export const MAX_LISTED_PROBLEMS = 20;

/**
 * The first MAX_LISTED_PROBLEMS items and how many were left out (of
 * `total`, when the items were cut before).
 */
export function bounded<T>(
  items: T[],
  total = items.length,
): { items: T[]; more: number } {
  return {
    items: items.slice(0, MAX_LISTED_PROBLEMS),
    more: Math.max(0, total - MAX_LISTED_PROBLEMS),
  };
}

/**
 * Text from a request, cut to at most `max` characters (the last one an
 * ellipsis when cut) and stripped of control
 * characters, for messages, logs and the audit trail: nothing they say
 * grows with what a caller sends.
 */
export function clip(text: string, max = 200): string {
  // eslint-disable-next-line no-control-regex
  const printable = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
  return printable.length > max ? `${printable.slice(0, max - 1)}…` : printable;
}

/** Request problems, each cut to size, the first MAX_LISTED_PROBLEMS of them. */
export function boundedProblems(errors: RequestValidationError[]): {
  items: RequestValidationError[];
  more: number;
} {
  return bounded(
    errors
      .slice(0, MAX_LISTED_PROBLEMS)
      .map(e => ({ field: clip(e.field, 80), message: clip(e.message) })),
    errors.length,
  );
}

/**
 * Policy violations, blocking ones first, the first MAX_LISTED_PROBLEMS of
 * them (the policy engine cuts each one's texts to size).
 */
export function boundedViolations(violations: PolicyViolation[]): {
  items: PolicyViolation[];
  more: number;
} {
  return bounded([
    ...violations.filter(v => v.severity === 'error'),
    ...violations.filter(v => v.severity !== 'error'),
  ]);
}

/* eslint-disable no-control-regex */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROL_BUT_BREAKS =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
/* eslint-enable no-control-regex */

/**
 * Whether text has control characters (C0, DEL, C1): NUL, which PostgreSQL
 * cannot store, terminal escapes, …. With `breaks`, line breaks and tabs
 * (`\n`, `\r`, `\t`) count as text.
 */
export function hasControlCharacters(
  text: string,
  options: { breaks?: boolean } = {},
): boolean {
  return (options.breaks ? CONTROL_BUT_BREAKS : CONTROL).test(text);
}

/**
 * A request that does not match the schema. `errors` (field and message)
 * is part of the 400 response body: the first MAX_LISTED_PROBLEMS of them,
 * `more` counts the rest.
 */
export class RequestInvalidError extends InputError {
  readonly errors: RequestValidationError[];
  readonly more?: number;

  constructor(errors: RequestValidationError[]) {
    const { items, more } = boundedProblems(errors);
    super(
      `Invalid deployment request: ${items
        .map(e => `${e.field}: ${e.message}`)
        .join('; ')}${more ? `; and ${more} more` : ''}`,
    );
    this.errors = items;
    if (more) this.more = more;
    this.code = 'request-invalid';
  }

  readonly code: DeploymentErrorCode;
}

/**
 * A request that error-level policies block. `violations` (policy, field,
 * message, hint, docs anchor) is part of the 400 response body.
 */
export class PolicyViolationsError extends InputError {
  readonly violations: PolicyViolation[];
  readonly more?: number;

  constructor(violations: PolicyViolation[]) {
    const blocking = violations.filter(v => v.severity === 'error');
    const listed = bounded(blocking);
    super(
      `Deployment blocked by ${blocking.length} policy violation${
        blocking.length === 1 ? '' : 's'
      }: ${listed.items
        .map(v => `[${v.policyId}] ${clip(v.path, 80)}: ${clip(v.message)}`)
        .join('; ')}${listed.more ? `; and ${listed.more} more` : ''}`,
    );
    const { items, more } = boundedViolations(violations);
    this.violations = items;
    if (more) this.more = more;
    this.code = 'policy-blocked';
  }

  readonly code: DeploymentErrorCode;
}
