import { UserInfoService } from '@backstage/backend-plugin-api';
import {
  DEFAULT_NAMESPACE,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import { RESOURCE_TYPE_CATALOG_ENTITY } from '@backstage/plugin-catalog-common/alpha';
import {
  AuthorizeResult,
  isResourcePermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import {
  deploymentsApprovePermission,
  deploymentsAuditReadPermission,
  deploymentsConfigReadPermission,
  deploymentsCreatePermission,
  deploymentsDeletePermission,
  deploymentsReadPermission,
  deploymentsRestartPermission,
  deploymentsRollbackPermission,
  deploymentsUpdatePermission,
  isDeploymentsPermission,
} from '@deployments-portal/backstage-plugin-deployments-common';

/** Default of `deployments.rbac.adminGroup`. @public */
export const DEFAULT_ADMIN_GROUP = 'group:default/platform-team';
/** Default of `deployments.approvals.releaseManagerGroup`. @public */
export const DEFAULT_RELEASE_MANAGER_GROUP = 'group:default/release-managers';

/** Permissions everyone signed in may use. */
const READ_PERMISSIONS = new Set([
  deploymentsReadPermission.name,
  deploymentsAuditReadPermission.name,
]);

/** Permissions the owners of the application's entity may use. */
const OWNER_PERMISSIONS = new Set([
  deploymentsCreatePermission.name,
  deploymentsUpdatePermission.name,
  deploymentsRestartPermission.name,
  deploymentsRollbackPermission.name,
  deploymentsDeletePermission.name,
]);

/** @public */
export type DeploymentsPermissionPolicyOptions = {
  /** Group ref whose members may do everything. */
  adminGroup: string;
  /** Group ref whose members may approve every application's requests. */
  releaseManagerGroup: string;
  /** Resolves a user's ownership refs (the user and the groups they are in). */
  userInfo: UserInfoService;
  /**
   * Decides every permission that is not a deployments one (catalog,
   * scaffolder, your own plugins). Default: allow, as Backstage's allow-all
   * policy does.
   */
  otherPermissions?: PermissionPolicy;
};

/**
 * The deployments portal's RBAC:
 *
 * - members of the admin group: everything;
 * - everyone signed in: read deployments and the audit trail; the plain
 *   environment values in them only for owners, release managers and
 *   admins (need-to-know: the others see the names);
 * - owners of the application's catalog entity: deploy, update, restart, roll
 *   back, delete (a conditional decision on the entity's owner; whether a
 *   deployment applies at once or becomes an approval request is the
 *   service's business, by environment);
 * - members of the release-manager group: approve or reject any request;
 *   owners: approve or reject requests of their own applications (the
 *   service refuses the requester's own request: four eyes);
 * - every other permission of the portal (catalog, scaffolder, ...): the
 *   `otherPermissions` policy decides; allowed when there is none, as
 *   Backstage's allow-all default does.
 *
 * To keep a policy of your own, decide the deployments permissions with this
 * one: `if (isDeploymentsPermission(request.permission)) return
 * deployments.handle(request, user);` — or pass yours as `otherPermissions`.
 *
 * @public
 */
export class DeploymentsPermissionPolicy implements PermissionPolicy {
  /** The admin group, as a canonical (lower-case) group ref. */
  readonly adminGroupRef: string;
  /** The release-manager group, as a canonical (lower-case) group ref. */
  readonly releaseManagerGroupRef: string;

  static fromConfig(
    config: Config,
    options: Pick<
      DeploymentsPermissionPolicyOptions,
      'userInfo' | 'otherPermissions'
    >,
  ): DeploymentsPermissionPolicy {
    return new DeploymentsPermissionPolicy({
      adminGroup:
        config.getOptionalString('deployments.rbac.adminGroup') ??
        DEFAULT_ADMIN_GROUP,
      releaseManagerGroup:
        config.getOptionalString('deployments.approvals.releaseManagerGroup') ??
        DEFAULT_RELEASE_MANAGER_GROUP,
      userInfo: options.userInfo,
      otherPermissions: options.otherPermissions,
    });
  }

  constructor(private readonly options: DeploymentsPermissionPolicyOptions) {
    this.adminGroupRef = groupRef(
      options.adminGroup,
      'deployments.rbac.adminGroup',
    );
    this.releaseManagerGroupRef = groupRef(
      options.releaseManagerGroup,
      'deployments.approvals.releaseManagerGroup',
    );
  }

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const { permission } = request;
    if (!isDeploymentsPermission(permission)) {
      return (
        this.options.otherPermissions?.handle(request, user) ?? {
          result: AuthorizeResult.ALLOW,
        }
      );
    }
    if (READ_PERMISSIONS.has(permission.name)) {
      return { result: AuthorizeResult.ALLOW };
    }
    // Everything below changes something: only signed-in users, never
    // unknown deployments permissions.
    if (!user) {
      return { result: AuthorizeResult.DENY };
    }
    const { ownershipEntityRefs } = await this.options.userInfo.getUserInfo(
      user.credentials,
    );
    const claims = ownershipEntityRefs.map(ref =>
      ref.toLocaleLowerCase('en-US'),
    );
    if (claims.includes(this.adminGroupRef)) {
      return { result: AuthorizeResult.ALLOW };
    }
    if (
      (permission.name === deploymentsApprovePermission.name ||
        permission.name === deploymentsConfigReadPermission.name) &&
      claims.includes(this.releaseManagerGroupRef)
    ) {
      // Release managers see the values of what they are asked to approve.
      return { result: AuthorizeResult.ALLOW };
    }
    if (
      (OWNER_PERMISSIONS.has(permission.name) ||
        permission.name === deploymentsApprovePermission.name ||
        permission.name === deploymentsConfigReadPermission.name) &&
      isResourcePermission(permission, RESOURCE_TYPE_CATALOG_ENTITY)
    ) {
      return createCatalogConditionalDecision(
        permission,
        catalogConditions.isEntityOwner({ claims: ownershipEntityRefs }),
      );
    }
    return { result: AuthorizeResult.DENY };
  }
}

/** A group ref in canonical lower-case form; a typo fails at start-up. */
function groupRef(ref: string, key: string): string {
  let parsed;
  try {
    parsed = parseEntityRef(ref, {
      defaultKind: 'group',
      defaultNamespace: DEFAULT_NAMESPACE,
    });
  } catch (error) {
    throw new Error(
      `${key}: '${ref}' is not a group ref (${
        (error as Error).message
      }); use e.g. group:default/platform-team`,
    );
  }
  if (parsed.kind.toLocaleLowerCase('en-US') !== 'group') {
    throw new Error(
      `${key}: '${ref}' is a ${parsed.kind}, not a group; use a group ref such as group:default/platform-team`,
    );
  }
  return stringifyEntityRef(parsed).toLocaleLowerCase('en-US');
}
