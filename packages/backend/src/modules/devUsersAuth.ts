/*
 * Development-only sign-in as one of the example users (examples/org.yaml),
 * so the four-eyes approval flow can be shown and tested with several people
 * in one browser. The frontend's sign-in page sends the chosen user name in a
 * header; the user must exist in the catalog and gets its ownership refs
 * (groups) from there.
 *
 * Enabled only by the explicit switch `auth.providers.dev-users.enabled:
 * true` (app-config.yaml has it; app-config.production.yaml removes the
 * provider), and then the backend refuses to start unless NODE_ENV is
 * `development` or `test` — an allow-list, so a missing or misspelt NODE_ENV
 * is refused too. As a second line, it signs nobody in outside those.
 */
import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  authProvidersExtensionPoint,
  createProxyAuthenticator,
  createProxyAuthProviderFactory,
  SignInResolver,
} from '@backstage/plugin-auth-node';

/** The NODE_ENV values the development sign-in may run under. */
export const DEV_SIGN_IN_ENVIRONMENTS = ['development', 'test'];

/** Whether NODE_ENV allows the development sign-in. */
function developmentEnvironment(): boolean {
  return DEV_SIGN_IN_ENVIRONMENTS.includes(process.env.NODE_ENV ?? '');
}

/**
 * Whether the development sign-in is switched on; throws (the backend does
 * not start) when it is switched on outside development and test.
 */
export function devSignInEnabled(config: Config): boolean {
  const enabled =
    config.getOptionalBoolean('auth.providers.dev-users.enabled') ?? false;
  if (enabled && !developmentEnvironment()) {
    throw new Error(
      `auth.providers.dev-users.enabled is true but NODE_ENV is '${
        process.env.NODE_ENV ?? ''
      }': the development sign-in (sign in as any example user) runs only with NODE_ENV development or test. Remove it from this configuration and configure a real sign-in provider.`,
    );
  }
  return enabled;
}

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
    return { disabled: !developmentEnvironment() };
  },
  async authenticate({ req }, { disabled }) {
    if (disabled) {
      throw new NotAllowedError(
        'The dev-users sign-in is for development only and signs nobody in unless NODE_ENV is development or test; configure a real sign-in provider',
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
      deps: {
        providers: authProvidersExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
      },
      async init({ providers, config, logger }) {
        if (!devSignInEnabled(config)) return;
        logger.warn(
          'Development sign-in (dev-users) is on: anyone can sign in as any example user. Never in production.',
        );
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
