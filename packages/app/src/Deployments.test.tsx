import { render, screen, within } from '@testing-library/react';
import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import scaffolderPlugin from '@backstage/plugin-scaffolder/alpha';
import deploymentsPlugin from '@deployments-portal/backstage-plugin-deployments';

// The app as it is built (`app.packages: all` discovers the plugins at build
// time; here they are listed by hand), with the backend faked at the fetch
// boundary: a guest session, two catalog entities and one answer of the
// deployments backend.

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });

const base64url = (value: object) =>
  Buffer.from(JSON.stringify(value)).toString('base64url');

const guestSession = {
  profile: { displayName: 'Guest' },
  backstageIdentity: {
    token: `${base64url({ alg: 'none' })}.${base64url({
      sub: 'user:development/guest',
      ent: ['user:development/guest'],
      exp: Math.floor(Date.now() / 1000) + 3600,
    })}.signature`,
    identity: {
      type: 'user',
      userEntityRef: 'user:development/guest',
      ownershipEntityRefs: ['user:development/guest'],
    },
  },
};

const deployable = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'payments-api',
    namespace: 'default',
    annotations: { 'deployments/image': 'ghcr.io/acme/payments-api' },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'team-payments' },
};

const backend: Record<string, unknown> = {
  '/api/auth/guest/refresh': guestSession,
  '/api/catalog/entities/by-name/component/default/payments-api': deployable,
  '/api/catalog/entities/by-name/component/default/docs-site': {
    ...deployable,
    metadata: { name: 'docs-site', namespace: 'default', annotations: {} },
  },
  '/api/deployments/entities/component/default/payments-api/deployments': {
    entityRef: 'component:default/payments-api',
    environments: [
      {
        environment: 'development',
        cluster: 'local-nonprod',
        namespace: 'payments-api-development',
        requiresApproval: false,
        deployments: [],
      },
    ],
  },
};

// A whole app per test: the first one also compiles every lazily loaded page,
// which takes well over a minute when the CI machine's two cores are shared
// with the other suites. These are bounds against a hang, not speed claims
// (speed lives in the benchmarks).
const WAIT = 90_000;
jest.setTimeout(4 * WAIT);

async function renderApp(path: string) {
  process.env = {
    NODE_ENV: 'test',
    APP_CONFIG: [
      {
        data: {
          app: {
            title: 'Test',
            // The scaffolder somewhere else than its default /create: the
            // Deploy button must follow it through the route binding.
            extensions: [
              { 'page:scaffolder': { config: { path: '/self-service' } } },
            ],
          },
          backend: { baseUrl: 'http://localhost:7007' },
        },
        context: 'test',
      },
    ] as any,
  };
  global.fetch = jest.fn(async (input: RequestInfo | URL) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const body = backend[url.pathname];
    return body
      ? json(200, body)
      : json(404, { error: { name: 'NotFoundError', message: url.pathname } });
  });
  window.localStorage.clear(); // no session left from the test before
  window.history.pushState({}, '', path);
  const app = createApp({
    features: [catalogPlugin, scaffolderPlugin, deploymentsPlugin],
  });
  render(app.createRoot());
  // The app's sign-in page: enter as guest.
  (
    await screen.findByText(
      'Enter',
      { selector: 'button *, button' },
      { timeout: WAIT },
    )
  ).click();
}

describe('deployments in the app', () => {
  it('adds the tabs to deployable components, with Deploy bound to the scaffolder', async () => {
    await renderApp('/catalog/default/component/payments-api/deployments');

    const tabs = await screen.findByRole(
      'navigation',
      { name: 'Content navigation' },
      { timeout: WAIT },
    );
    expect(within(tabs).getByText('Deployments')).toHaveAttribute(
      'href',
      '/catalog/default/component/payments-api/deployments',
    );
    expect(within(tabs).getByText('Service Health')).toHaveAttribute(
      'href',
      '/catalog/default/component/payments-api/service-health',
    );

    const deploy = await screen.findByText('Deploy to development', undefined, {
      timeout: WAIT,
    });
    expect(deploy.closest('a')!.getAttribute('href')).toMatch(
      /^\/self-service\/templates\/default\/deploy-application\?formData=/,
    );
  });

  it('leaves them off other components', async () => {
    await renderApp('/catalog/default/component/docs-site');

    const tabs = await screen.findByRole(
      'navigation',
      { name: 'Content navigation' },
      { timeout: WAIT },
    );
    expect(within(tabs).getByText('Overview')).toBeInTheDocument();
    expect(within(tabs).queryByText('Deployments')).toBeNull();
    expect(within(tabs).queryByText('Service Health')).toBeNull();
  });
});
