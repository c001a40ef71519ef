import { screen } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { configApiRef } from '@backstage/core-plugin-api';
import { ConfigReader } from '@backstage/config';
import {
  approvalsRouteRef,
  scaffolderTaskRouteRef,
  techdocsRouteRef,
} from '../routes';
import { usePortalLinks } from './usePortalLinks';

function Links() {
  const links = usePortalLinks();
  return (
    <ul>
      <li data-testid="approvals">{links.approvals}</li>
      <li data-testid="approval">{links.approval('apr 1')}</li>
      <li data-testid="task">{links.task('task-7')}</li>
      <li data-testid="docs">{links.docs('policies/#image-source')}</li>
    </ul>
  );
}

const text = (id: string) => screen.getByTestId(id).textContent;

function withConfig(data: object) {
  return (
    <TestApiProvider apis={[[configApiRef, new ConfigReader(data)]]}>
      <Links />
    </TestApiProvider>
  );
}

describe('usePortalLinks', () => {
  it('follows wherever the app mounts the pages it links to', async () => {
    await renderInTestApp(
      withConfig({
        deployments: { docs: { entityRef: 'system:platform/delivery' } },
      }),
      {
        mountedRoutes: {
          '/releases/approvals': approvalsRouteRef,
          '/self-service/tasks/:taskId': scaffolderTaskRouteRef,
          '/handbook/:namespace/:kind/:name': techdocsRouteRef,
        },
      },
    );
    expect(text('approvals')).toBe('/releases/approvals');
    expect(text('approval')).toBe('/releases/approvals/apr%201');
    expect(text('task')).toBe('/self-service/tasks/task-7');
    expect(text('docs')).toBe(
      '/handbook/platform/system/delivery/policies/#image-source',
    );
  });

  it('falls back to the default paths where a route is not mounted', async () => {
    await renderInTestApp(withConfig({}));
    expect(text('approvals')).toBe('/deployments/approvals');
    expect(text('approval')).toBe('/deployments/approvals/apr%201');
    expect(text('task')).toBe('/create/tasks/task-7');
    expect(text('docs')).toBe(
      '/docs/default/component/deployments-portal/policies/#image-source',
    );
  });
});
