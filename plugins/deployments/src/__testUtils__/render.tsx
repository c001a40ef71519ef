import { ReactElement } from 'react';
import userEvent, {
  PointerEventsCheckLevel,
} from '@testing-library/user-event';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/frontend-test-utils';
import { convertLegacyRouteRef } from '@backstage/core-compat-api';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { DeploymentsApi, deploymentsApiRef } from '../api';

// Shared by the component tests.

/**
 * No artificial delay between events, and no pointer-events check of every
 * ancestor's computed style (slow in jsdom): the UI is what is tested.
 */
export function testUser() {
  return userEvent.setup({
    delay: null,
    pointerEventsCheck: PointerEventsCheckLevel.Never,
  });
}

/** The catalog's entity page, so that EntityRefLink renders links. */
export const catalogEntityRoutes = {
  '/catalog/:namespace/:kind/:name': convertLegacyRouteRef(entityRouteRef),
};

/**
 * Renders `element` in a test app with a fake deployments API and a
 * permission API (allows everything unless `permission` says otherwise).
 */
export async function renderWithDeploymentsApi(
  element: ReactElement,
  api: Partial<DeploymentsApi>,
  options: {
    /** The signed-in user's entity ref; the test app's default otherwise. */
    signedIn?: string;
    permission?: Parameters<typeof mockApis.permission>[0];
    /** The route the app starts at. */
    path?: string;
    /** Mount the catalog's entity page (for EntityRefLink). */
    catalogRoutes?: boolean;
  } = {},
) {
  const { signedIn, permission, path, catalogRoutes } = options;
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [deploymentsApiRef, api],
        mockApis.permission(permission),
        ...(signedIn ? [mockApis.identity({ userEntityRef: signedIn })] : []),
      ]}
    >
      {element}
    </TestApiProvider>,
    {
      ...(path ? { initialRouteEntries: [path] } : {}),
      ...(catalogRoutes ? { mountedRoutes: catalogEntityRoutes } : {}),
    },
  );
}
