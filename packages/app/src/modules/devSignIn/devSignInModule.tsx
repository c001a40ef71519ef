import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { SignInPageBlueprint } from '@backstage/plugin-app-react';

/**
 * Replaces the app's sign-in page with the development picker of example
 * users (see docs/docs/administration.md). A production app swaps this module
 * for its organisation's sign-in page.
 */
export const devSignInModule = createFrontendModule({
  pluginId: 'app',
  extensions: [
    SignInPageBlueprint.make({
      params: {
        loader: async () =>
          (await import('./DevUsersSignInPage')).DevUsersSignInPage,
      },
    }),
  ],
});
