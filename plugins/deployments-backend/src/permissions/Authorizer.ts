import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
  isResourcePermission,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import { withErrorCode } from '@deployments-portal/backstage-plugin-deployments-common';

/**
 * Every permission decision of the deployments API, in one place.
 * Deployments permissions are resource permissions on the owning catalog
 * entity: with a `resourceRef` a conditional decision of the policy (e.g.
 * "owner of the entity") is evaluated against that entity; without one
 * (lists, environments) only an unconditional ALLOW lets the call through.
 */
export class Authorizer {
  static create(options: { permissions: PermissionsService }): Authorizer {
    return new Authorizer(options.permissions);
  }

  private constructor(private readonly permissions: PermissionsService) {}

  async authorize(
    permission: BasicPermission | ResourcePermission,
    credentials: BackstageCredentials,
    verb: string,
    resourceRef?: string,
  ): Promise<void> {
    let result: AuthorizeResult;
    if (!isResourcePermission(permission)) {
      [{ result }] = await this.permissions.authorize([{ permission }], {
        credentials,
      });
    } else if (resourceRef) {
      [{ result }] = await this.permissions.authorize(
        [{ permission, resourceRef }],
        { credentials },
      );
    } else {
      [{ result }] = await this.permissions.authorizeConditional(
        [{ permission }],
        { credentials },
      );
    }
    if (result !== AuthorizeResult.ALLOW) {
      throw notAllowed(permission, verb, resourceRef);
    }
  }

  /**
   * Refuses before anything is looked up when the policy denies the
   * permission outright (for every entity), so a refused caller learns
   * nothing about what exists; a conditional answer is decided by
   * `authorize` once the deployment's entity is known.
   */
  async refuseOutright(
    permission: ResourcePermission,
    credentials: BackstageCredentials,
    verb: string,
  ): Promise<void> {
    const [{ result }] = await this.permissions.authorizeConditional(
      [{ permission }],
      { credentials },
    );
    if (result === AuthorizeResult.DENY) {
      throw notAllowed(permission, verb);
    }
  }
}

/** The signed-in user a change is made for; services cannot make changes. */
export function requesterOf(credentials: BackstageCredentials): string {
  const principal = credentials.principal as {
    type: string;
    userEntityRef?: string;
  };
  if (principal.type === 'user' && principal.userEntityRef) {
    return principal.userEntityRef;
  }
  throw withErrorCode(
    new NotAllowedError(
      'Deployments are made on behalf of a signed-in user; call with user credentials (or on behalf of a user)',
    ),
    'user-required',
  );
}

function notAllowed(
  permission: BasicPermission | ResourcePermission,
  verb: string,
  resourceRef?: string,
) {
  return withErrorCode(
    new NotAllowedError(
      `You are not allowed to ${verb} deployments${
        resourceRef ? ` of ${resourceRef}` : ''
      } (${permission.name})`,
    ),
    'permission-denied',
  );
}
