import { SignInPage } from '@backstage/core-components';
import { configApiRef, useApi } from '@backstage/frontend-plugin-api';
import { SignInPageProps } from '@backstage/plugin-app-react';
import { DevUsersSignInPage } from '../devSignIn/DevUsersSignInPage';
import { oidcAuthApiRef } from './oidcAuthApi';

/**
 * The sign-in page: in production (`auth.environment: production`, as
 * app-config.production.yaml sets it) only the organisation's OpenID Connect
 * provider; anywhere else the development picker of example users and the
 * guest (whose backend providers refuse to run in production anyway).
 */
export function PortalSignInPage(props: SignInPageProps) {
  const config = useApi(configApiRef);
  if (config.getOptionalString('auth.environment') === 'production') {
    return (
      <SignInPage
        {...props}
        align="center"
        providers={[
          {
            id: 'oidc',
            title: 'Company sign-in',
            message: 'Sign in with your company account',
            apiRef: oidcAuthApiRef,
          },
        ]}
      />
    );
  }
  return <DevUsersSignInPage {...props} />;
}
