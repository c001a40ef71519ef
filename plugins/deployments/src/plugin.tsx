import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import { RiRocketLine } from '@remixicon/react';
import { deploymentsApiRef, DeploymentsClient } from './api';
import { rootRouteRef } from './routes';

/** @public */
export const deploymentsApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: deploymentsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new DeploymentsClient({ discoveryApi, fetchApi }),
    }),
});

/** @public */
export const deploymentsPage = PageBlueprint.make({
  params: {
    path: '/deployments',
    title: 'Deployments',
    icon: <RiRocketLine />,
    routeRef: rootRouteRef,
    loader: () =>
      import('./components/EnvironmentsPage').then(m => <m.EnvironmentsPage />),
  },
});

/**
 * The deployments frontend plugin (new frontend system).
 *
 * @public
 */
export const deploymentsPlugin = createFrontendPlugin({
  pluginId: 'deployments',
  title: 'Deployments',
  icon: <RiRocketLine />,
  info: { packageJson: () => import('../package.json') },
  extensions: [deploymentsApi, deploymentsPage],
  routes: {
    root: rootRouteRef,
  },
});
