/** An example user one can sign in as (examples/org.yaml). */
export type DevUser = {
  /** metadata.name of the User entity, sent to the dev-users provider. */
  name: string;
  displayName: string;
  team: string;
  /** What this user may do, in the words of the RBAC table. */
  role: string;
};

/**
 * The example users of examples/org.yaml. A static list: the sign-in page is
 * shown before anyone is signed in, so it cannot ask the catalog; keep it in
 * step with examples/org.yaml.
 */
export const devUsers: DevUser[] = [
  {
    name: 'ada',
    displayName: 'Ada Lovelace',
    team: 'team-payments',
    role: 'Owner of the payments applications: deploys them, requests production',
  },
  {
    name: 'grace',
    displayName: 'Grace Hopper',
    team: 'team-payments',
    role: 'Owner of the payments applications: approves a teammate’s request',
  },
  {
    name: 'linus',
    displayName: 'Linus Torvalds',
    team: 'team-orders',
    role: 'Owner of the orders applications; may only read payments',
  },
  {
    name: 'margaret',
    displayName: 'Margaret Hamilton',
    team: 'team-orders',
    role: 'Owner of the orders applications; may only read payments',
  },
  {
    name: 'rita',
    displayName: 'Rita Levi-Montalcini',
    team: 'release-managers',
    role: 'Release manager: approves or rejects every team’s requests',
  },
  {
    name: 'kelsey',
    displayName: 'Kelsey Hightower',
    team: 'platform-team',
    role: 'Platform admin: may do everything (but not approve own requests)',
  },
];
