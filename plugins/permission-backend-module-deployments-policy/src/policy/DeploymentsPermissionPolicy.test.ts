import { UserInfoService } from '@backstage/backend-plugin-api';
import { mockCredentials } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { permissionRules } from '@backstage/plugin-catalog-backend/alpha';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import {
  AuthorizeResult,
  Permission,
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
  deploymentsPermissions,
  deploymentsReadPermission,
  deploymentsRestartPermission,
  deploymentsRollbackPermission,
  deploymentsUpdatePermission,
  isDeploymentsPermission,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { DeploymentsPermissionPolicy } from './DeploymentsPermissionPolicy';

/** The example org: who is in which group. */
const ownership: Record<string, string[]> = {
  'user:default/linus': ['group:default/team-orders'],
  'user:default/ada': ['group:default/team-payments'],
  'user:default/rita': ['group:default/release-managers'],
  'user:default/kelsey': ['group:default/platform-team'],
};

const userInfo: UserInfoService = {
  async getUserInfo(credentials) {
    const userEntityRef = (credentials.principal as { userEntityRef: string })
      .userEntityRef;
    return {
      userEntityRef,
      ownershipEntityRefs: [userEntityRef, ...(ownership[userEntityRef] ?? [])],
    };
  },
};

function userOf(userEntityRef: string): PolicyQueryUser {
  return {
    credentials: mockCredentials.user(userEntityRef),
    info: {
      userEntityRef,
      ownershipEntityRefs: [userEntityRef, ...ownership[userEntityRef]],
    },
  };
}

/** payments-api, owned by team-payments (as the catalog stitches it). */
const paymentsApi: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments-api', namespace: 'default' },
  spec: { owner: 'team-payments', type: 'service', lifecycle: 'production' },
  relations: [{ type: 'ownedBy', targetRef: 'group:default/team-payments' }],
};

type Outcome = 'ALLOW' | 'DENY' | 'OWNER-ONLY';

/**
 * What a decision means for payments-api: a conditional decision is
 * evaluated with the catalog's own isEntityOwner rule, as the catalog does
 * when the permission backend asks it.
 */
function outcomeFor(decision: PolicyDecision, claims: string[]) {
  if (decision.result !== AuthorizeResult.CONDITIONAL) {
    return {
      outcome: AuthorizeResult[decision.result] as Outcome,
      allowedOnPaymentsApi: decision.result === AuthorizeResult.ALLOW,
    };
  }
  expect(decision.pluginId).toBe('catalog');
  expect(decision.resourceType).toBe('catalog-entity');
  expect(decision.conditions).toEqual({
    rule: 'IS_ENTITY_OWNER',
    resourceType: 'catalog-entity',
    params: { claims },
  });
  return {
    outcome: 'OWNER-ONLY' as Outcome,
    allowedOnPaymentsApi: permissionRules.isEntityOwner.apply(paymentsApi, {
      claims,
    }),
  };
}

// The RBAC table of docs/docs/administration.md, for payments-api
// (owned by team-payments). OWNER-ONLY = conditional on owning the entity.
const users = {
  'other team (linus)': 'user:default/linus',
  'owner (ada)': 'user:default/ada',
  'release manager (rita)': 'user:default/rita',
  'admin (kelsey)': 'user:default/kelsey',
} as const;
type Who = keyof typeof users;

const matrix: Array<[Permission, Record<Who, [Outcome, boolean]>]> = [
  [
    deploymentsReadPermission,
    {
      'other team (linus)': ['ALLOW', true],
      'owner (ada)': ['ALLOW', true],
      'release manager (rita)': ['ALLOW', true],
      'admin (kelsey)': ['ALLOW', true],
    },
  ],
  [
    deploymentsAuditReadPermission,
    {
      'other team (linus)': ['ALLOW', true],
      'owner (ada)': ['ALLOW', true],
      'release manager (rita)': ['ALLOW', true],
      'admin (kelsey)': ['ALLOW', true],
    },
  ],
  ...[
    deploymentsCreatePermission,
    deploymentsUpdatePermission,
    deploymentsRestartPermission,
    deploymentsRollbackPermission,
    deploymentsDeletePermission,
  ].map(
    permission =>
      [
        permission,
        {
          'other team (linus)': ['OWNER-ONLY', false],
          'owner (ada)': ['OWNER-ONLY', true],
          'release manager (rita)': ['OWNER-ONLY', false],
          'admin (kelsey)': ['ALLOW', true],
        },
      ] as [Permission, Record<Who, [Outcome, boolean]>],
  ),
  [
    deploymentsApprovePermission,
    {
      'other team (linus)': ['OWNER-ONLY', false],
      'owner (ada)': ['OWNER-ONLY', true],
      'release manager (rita)': ['ALLOW', true],
      'admin (kelsey)': ['ALLOW', true],
    },
  ],
  // Plain env values: need-to-know.
  [
    deploymentsConfigReadPermission,
    {
      'other team (linus)': ['OWNER-ONLY', false],
      'owner (ada)': ['OWNER-ONLY', true],
      'release manager (rita)': ['ALLOW', true],
      'admin (kelsey)': ['ALLOW', true],
    },
  ],
];

describe('DeploymentsPermissionPolicy', () => {
  const policy = DeploymentsPermissionPolicy.fromConfig(new ConfigReader({}), {
    userInfo,
  });

  it('covers every deployments permission in its table', () => {
    expect(matrix.map(([p]) => p.name).sort()).toEqual(
      deploymentsPermissions.map(p => p.name).sort(),
    );
  });

  describe.each(matrix)('%#: $name', (permission, expected) => {
    it.each(Object.keys(users) as Who[])(
      `${permission.name} for %s`,
      async who => {
        const userEntityRef = users[who];
        const decision = await policy.handle(
          { permission },
          userOf(userEntityRef),
        );
        expect(
          outcomeFor(decision, [userEntityRef, ...ownership[userEntityRef]]),
        ).toEqual({
          outcome: expected[who][0],
          allowedOnPaymentsApi: expected[who][1],
        });
      },
    );
  });

  it('lets a request without a user read, and nothing else', async () => {
    for (const permission of deploymentsPermissions) {
      const decision = await policy.handle({ permission });
      expect([permission.name, decision.result]).toEqual([
        permission.name,
        permission === deploymentsReadPermission ||
        permission === deploymentsAuditReadPermission
          ? AuthorizeResult.ALLOW
          : AuthorizeResult.DENY,
      ]);
    }
  });

  it('allows the rest of the portal as Backstage does by default', async () => {
    for (const who of Object.values(users)) {
      await expect(
        policy.handle({ permission: catalogEntityReadPermission }, userOf(who)),
      ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
    }
  });

  it('denies deployments permissions it does not know', async () => {
    const decision = await policy.handle(
      {
        permission: {
          type: 'basic',
          name: 'deployments.something.new',
          attributes: {},
        },
      },
      userOf('user:default/ada'),
    );
    expect(decision).toEqual({ result: AuthorizeResult.DENY });
  });

  it('takes the groups from config, case-insensitively', async () => {
    const configured = DeploymentsPermissionPolicy.fromConfig(
      new ConfigReader({
        deployments: {
          rbac: { adminGroup: 'Team-Orders' },
          approvals: { releaseManagerGroup: 'group:default/team-payments' },
        },
      }),
      { userInfo },
    );
    expect(configured.adminGroupRef).toBe('group:default/team-orders');
    await expect(
      configured.handle(
        { permission: deploymentsDeletePermission },
        userOf('user:default/linus'),
      ),
    ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
    await expect(
      configured.handle(
        { permission: deploymentsApprovePermission },
        userOf('user:default/ada'),
      ),
    ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
    // The default admin group is no longer special.
    const decision = await configured.handle(
      { permission: deploymentsDeletePermission },
      userOf('user:default/kelsey'),
    );
    expect(decision.result).toBe(AuthorizeResult.CONDITIONAL);
  });

  it('refuses a group setting that is not a group ref', () => {
    const withAdminGroup = (adminGroup: string) => () =>
      DeploymentsPermissionPolicy.fromConfig(
        new ConfigReader({ deployments: { rbac: { adminGroup } } }),
        { userInfo },
      );
    expect(withAdminGroup('group:default/')).toThrow(
      /^deployments.rbac.adminGroup: 'group:default\/' is not a group ref/,
    );
    expect(withAdminGroup('user:default/kelsey')).toThrow(
      "deployments.rbac.adminGroup: 'user:default/kelsey' is a user, not a group; use a group ref such as group:default/platform-team",
    );
  });

  it('lets another policy decide everything that is not a deployments permission', async () => {
    const asked: string[] = [];
    const denyAll: PermissionPolicy = {
      async handle(request) {
        asked.push(request.permission.name);
        return { result: AuthorizeResult.DENY };
      },
    };
    const combined = DeploymentsPermissionPolicy.fromConfig(
      new ConfigReader({}),
      { userInfo, otherPermissions: denyAll },
    );
    await expect(
      combined.handle(
        { permission: catalogEntityReadPermission },
        userOf('user:default/kelsey'),
      ),
    ).resolves.toEqual({ result: AuthorizeResult.DENY });
    // The deployments permissions stay the suite's business.
    await expect(
      combined.handle(
        { permission: deploymentsReadPermission },
        userOf('user:default/linus'),
      ),
    ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
    expect(asked).toEqual([catalogEntityReadPermission.name]);
  });
});

describe("an adopter's own policy that delegates the deployments permissions", () => {
  // The shape docs/docs/administration.md shows: the adopter keeps its
  // policy and hands deployments.* to the suite's rules.
  class AdopterPolicy implements PermissionPolicy {
    constructor(private readonly deployments: DeploymentsPermissionPolicy) {}

    async handle(
      request: PolicyQuery,
      user?: PolicyQueryUser,
    ): Promise<PolicyDecision> {
      if (isDeploymentsPermission(request.permission)) {
        return this.deployments.handle(request, user);
      }
      // The adopter's own rule: only signed-in users read the catalog.
      return { result: user ? AuthorizeResult.ALLOW : AuthorizeResult.DENY };
    }
  }
  const policy = new AdopterPolicy(
    DeploymentsPermissionPolicy.fromConfig(new ConfigReader({}), { userInfo }),
  );

  it("gets the suite's decision for every deployments permission", async () => {
    const ada = userOf('user:default/ada');
    const linus = userOf('user:default/linus');
    expect(
      outcomeFor(
        await policy.handle({ permission: deploymentsDeletePermission }, ada),
        ['user:default/ada', 'group:default/team-payments'],
      ),
    ).toEqual({ outcome: 'OWNER-ONLY', allowedOnPaymentsApi: true });
    expect(
      outcomeFor(
        await policy.handle({ permission: deploymentsDeletePermission }, linus),
        ['user:default/linus', 'group:default/team-orders'],
      ),
    ).toEqual({ outcome: 'OWNER-ONLY', allowedOnPaymentsApi: false });
    await expect(
      policy.handle({ permission: deploymentsCreatePermission }),
    ).resolves.toEqual({ result: AuthorizeResult.DENY });
  });

  it('keeps its own decisions for the rest', async () => {
    await expect(
      policy.handle({ permission: catalogEntityReadPermission }),
    ).resolves.toEqual({ result: AuthorizeResult.DENY });
    await expect(
      policy.handle(
        { permission: catalogEntityReadPermission },
        userOf('user:default/linus'),
      ),
    ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
  });
});
