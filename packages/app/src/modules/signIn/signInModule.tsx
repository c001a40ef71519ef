import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { SignInPageBlueprint } from '@backstage/plugin-app-react';
import { oidcAuthApi } from './oidcAuthApi';

/**
 * The app's sign-in: OpenID Connect in production, the development picker of
 * example users elsewhere (see PortalSignInPage and
 * docs/docs/production.md).
 */
export const signInModule = createFrontendModule({
  pluginId: 'app',
  extensions: [
    oidcAuthApi,
    SignInPageBlueprint.make({
      params: {
        loader: async () =>
          (await import('./PortalSignInPage')).PortalSignInPage,
      },
    }),
  ],
});
