import { InputError } from '@backstage/errors';
import { DeploymentErrorCode } from '@deployments-portal/backstage-plugin-deployments-common';
import { bounded, clip, MAX_LISTED_PROBLEMS } from '../service/errors';

/** One problem with a request part: where, and what is wrong and expected. */
export type RequestProblem = { field: string; message: string };

/**
 * Path parameters, query parameters, headers or a body that do not match
 * what the route takes (400). `errors` lists the first problems with their
 * fields, each cut to size; `more` says how many were left out.
 */
export class ParametersInvalidError extends InputError {
  readonly errors: RequestProblem[];
  readonly more?: number;
  readonly code: DeploymentErrorCode;

  constructor(problems: RequestProblem[], code: DeploymentErrorCode) {
    const { items, more } = bounded(
      problems
        .slice(0, MAX_LISTED_PROBLEMS)
        .map(p => ({ field: clip(p.field, 80), message: clip(p.message) })),
      problems.length,
    );
    super(
      `Invalid request: ${items
        .map(p => `${p.field}: ${p.message}`)
        .join('; ')}${more ? `; and ${more} more` : ''}`,
    );
    this.errors = items;
    if (more) this.more = more;
    this.code = code;
  }
}
