/*
 * Development-only sign-in as one of the example users (examples/org.yaml),
 * so the four-eyes approval flow can be shown and tested with several people
 * in one browser. The frontend's sign-in page sends the chosen user name in a
 * header; the user must exist in the catalog and gets its ownership refs
 * (groups) from there.
 *
 * Enabled only when `auth.providers.dev-users` is in the config (it is in
 * app-config.yaml, never in app-config.production.yaml), and it refuses to
 * sign anyone in when NODE_ENV=production.
 */
import { createBackendModule } from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  authProvidersExtensionPoint,
  createProxyAuthenticator,
  createProxyAuthProviderFactory,
  SignInResolver,
} from '@backstage/plugin-auth-node';

/** The request header that names the user to sign in as. */
export const DEV_USER_HEADER = 'x-portal-dev-user';

const USER_NAME = /^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?$/i;

type DevUserResult = { userName: string };

export const devUsersAuthenticator = createProxyAuthenticator<
  { disabled: boolean },
  DevUserResult,
  undefined
>({
  // The profile (name, email, picture) of the catalog User, as a real
  // provider would supply it.
  defaultProfileTransform: async (result, ctx) => {
    try {
      const { entity } = await ctx.findCatalogUser({
        entityRef: {
          kind: 'User',
          namespace: 'default',
          name: result.userName,
        },
      });
      const profile = (entity.spec?.profile ?? {}) as {
        displayName?: string;
        email?: string;
        picture?: string;
      };
      return {
        profile: {
          displayName: profile.displayName ?? result.userName,
          email: profile.email,
          picture: profile.picture,
        },
      };
    } catch {
      // An unknown user fails in the sign-in resolver, with a clear message.
      return { profile: { displayName: result.userName } };
    }
  },
  initialize() {
    return { disabled: process.env.NODE_ENV === 'production' };
  },
  async authenticate({ req }, { disabled }) {
    if (disabled) {
      throw new NotAllowedError(
        'The dev-users sign-in is for development only and refuses to sign anyone in when NODE_ENV=production; configure a real sign-in provider',
      );
    }
    const userName = req.header(DEV_USER_HEADER)?.trim();
    if (!userName) {
      throw new InputError(
        `Missing header ${DEV_USER_HEADER}: send the name of an example user, e.g. ${DEV_USER_HEADER}: ada`,
      );
    }
    if (!USER_NAME.test(userName)) {
      throw new InputError(
        `Header ${DEV_USER_HEADER}: '${userName}' is not a user name; use the metadata.name of a User entity, e.g. ada`,
      );
    }
    return { result: { userName } };
  },
});

/** Signs in as the catalog User of that name (namespace default). */
export const signInAsDevUser: SignInResolver<DevUserResult> = async (
  { result },
  ctx,
) => {
  try {
    return await ctx.signInWithCatalogUser({
      entityRef: { kind: 'User', namespace: 'default', name: result.userName },
    });
  } catch (error) {
    throw new NotFoundError(
      `No user '${result.userName}' in the catalog; sign in as one of the example users of examples/org.yaml (e.g. ada, linus, rita, kelsey)`,
      error,
    );
  }
};

/** The `dev-users` auth provider (development only). */
export const authModuleDevUsersProvider = createBackendModule({
  pluginId: 'auth',
  moduleId: 'dev-users-provider',
  register(reg) {
    reg.registerInit({
      deps: { providers: authProvidersExtensionPoint },
      async init({ providers }) {
        providers.registerProvider({
          providerId: 'dev-users',
          factory: createProxyAuthProviderFactory({
            authenticator: devUsersAuthenticator,
            signInResolver: signInAsDevUser,
          }),
        });
      },
    });
  },
});
