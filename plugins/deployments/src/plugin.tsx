import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import { FormFieldBlueprint } from '@backstage/plugin-scaffolder-react/alpha';
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

/** Scaffolder field `EnvironmentPicker`. */
const environmentPickerFormField = FormFieldBlueprint.make({
  name: 'environment-picker',
  params: {
    field: () => import('./fields').then(m => m.EnvironmentPickerFormField),
  },
});

/** Scaffolder field `DeploymentPolicyPreview`. */
const policyPreviewFormField = FormFieldBlueprint.make({
  name: 'policy-preview',
  params: {
    field: () => import('./fields').then(m => m.PolicyPreviewFormField),
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
  extensions: [
    deploymentsApi,
    deploymentsPage,
    environmentPickerFormField,
    policyPreviewFormField,
  ],
  routes: {
    root: rootRouteRef,
  },
});
