import { screen, waitFor, within } from '@testing-library/react';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { deploymentsApiRef } from '../../api';
import {
  change,
  deployableEntity,
  DIGEST,
  ENTITY_REF,
  record,
  responseError,
  running,
} from '../../__testUtils__/deployments';
import { EntityDeploymentsContent } from './EntityDeploymentsContent';
import {
  allFour,
  environment,
  fakeApi,
  productionKey,
  renderContent,
} from '../../__testUtils__/entityDeployments';
import { testUser } from '../../__testUtils__/render';

const user = testUser();

// Whole pages of material-table tables render slowly in jsdom on a busy
// machine; this is a budget, not a measurement.
jest.setTimeout(20_000);

describe('EntityDeploymentsContent', () => {
  it('shows one section per environment in the order the backend answers (the configured order)', async () => {
    await renderContent(fakeApi(allFour));

    expect(
      screen.getAllByTestId(/^environment-/).map(e => e.dataset.testid),
    ).toEqual([
      'environment-development',
      'environment-test',
      'environment-acceptance',
      'environment-production',
    ]);
  });

  it('shows version, replicas, rollout, requester and change reference', async () => {
    const production = await renderContent(fakeApi(allFour));
    const section = within(production);

    const version = section.getByText('ghcr.io/acme/payments-api:1.4.2');
    // The digest the tag resolved to is in the version's tooltip, with a copy button.
    expect(
      section.getByRole('button', {
        name: 'Copy image reference ghcr.io/acme/payments-api:1.4.2',
      }),
    ).toBeInTheDocument();
    await user.hover(version);
    expect(await screen.findByRole('tooltip')).toHaveTextContent(
      `resolved to ${DIGEST}`,
    );
    await user.unhover(version);
    expect(section.getByText('2/2 ready')).toBeInTheDocument();
    expect(section.getAllByText('succeeded').length).toBeGreaterThan(0);
    expect(
      section.getByText(/Available \(MinimumReplicasAvailable\)/),
    ).toBeInTheDocument();
    expect(section.getAllByTitle('user:default/ada')[0]).toHaveTextContent(
      'ada',
    );
    expect(
      section.getAllByRole('link', {
        name: /^https:\/\/jira.acme.example\/browse\/OPS-42/,
      })[0],
    ).toHaveAttribute('href', 'https://jira.acme.example/browse/OPS-42');
    // A failed revision's reason is in the history, on demand.
    expect(section.queryByText('ImagePullBackOff')).toBeNull();
    await user.click(section.getByRole('button', { name: /^History/ }));
    expect(await section.findByText('ImagePullBackOff')).toBeInTheDocument();
  });

  it('shows an unreachable environment next to the ones that answered', async () => {
    await renderContent(fakeApi(allFour));

    const acceptance = screen.getByTestId('environment-acceptance');
    expect(
      within(acceptance).getByText(
        'unreachable: connect ECONNREFUSED 127.0.0.1:6443',
      ),
    ).toBeInTheDocument();
    expect(
      within(screen.getByTestId('environment-development')).getByText(
        '2/2 ready',
      ),
    ).toBeInTheDocument();
    expect(
      within(screen.getByTestId('environment-test')).getByText(
        'Not deployed to test yet.',
      ),
    ).toBeInTheDocument();
  });

  it('links Deploy and Promote to the templates, pre-filled', async () => {
    await renderContent(fakeApi(allFour));

    const formDataOf = (link: HTMLElement) => {
      const url = new URL(link.getAttribute('href')!, 'http://localhost');
      return {
        path: url.pathname,
        formData: JSON.parse(url.searchParams.get('formData')!),
      };
    };
    expect(
      formDataOf(screen.getByRole('button', { name: 'Deploy to test' })),
    ).toEqual({
      path: '/create/templates/default/deploy-application',
      formData: {
        application: ENTITY_REF,
        environment: 'test',
        repository: 'ghcr.io/acme/payments-api',
      },
    });
    expect(
      formDataOf(screen.getByRole('button', { name: 'Promote to production' })),
    ).toEqual({
      path: '/create/templates/default/promote-application',
      formData: { application: ENTITY_REF, from: 'acceptance' },
    });
    // Nothing to promote from test (not deployed) or beyond production.
    expect(
      screen.queryByRole('button', { name: 'Promote to acceptance' }),
    ).toBeNull();
    expect(screen.getAllByRole('button', { name: /^Promote to/ })).toHaveLength(
      2,
    );
  });

  it('follows environments of their own names: order and Promote as configured', async () => {
    await renderContent(
      fakeApi(() => ({
        entityRef: ENTITY_REF,
        environments: [
          environment('dev', { next: 'staging' }),
          environment('staging', { next: 'prod-eu' }),
          environment('prod-eu', { next: undefined, requiresApproval: true }),
        ],
      })),
      () => true,
      'prod-eu',
    );

    expect(
      screen.getAllByTestId(/^environment-/).map(e => e.dataset.testid),
    ).toEqual([
      'environment-dev',
      'environment-staging',
      'environment-prod-eu',
    ]);
    expect(
      screen
        .getAllByRole('button', { name: /^Promote to/ })
        .map(button => button.textContent),
    ).toEqual(['Promote to staging', 'Promote to prod-eu']);
  });

  it('restarts only after confirmation, then reads the deployments again', async () => {
    const api = fakeApi(allFour);
    const production = await renderContent(api);

    await user.click(
      within(production).getByRole('button', { name: 'Restart' }),
    );
    const dialog = await screen.findByRole('dialog', {
      name: 'Restart payments-api in production?',
    });
    expect(api.restart).not.toHaveBeenCalled();
    await user.click(within(dialog).getByRole('button', { name: 'Restart' }));

    expect(
      await within(production).findByText(
        'Restarted payments-api in production (revision 4, succeeded)',
      ),
    ).toBeInTheDocument();
    expect(api.restart).toHaveBeenCalledWith(productionKey);
    await waitFor(() =>
      expect(api.getEntityDeployments).toHaveBeenCalledTimes(2),
    );
  });

  it('follows a queued restart until it ends, saying where it is', async () => {
    const steps = ['applying', 'verifying', 'succeeded'] as const;
    let step = 0;
    const api = fakeApi(allFour, {
      restart: jest.fn(async () =>
        change('production', {
          id: 'change-4',
          revision: 4,
          action: 'restart',
          status: 'queued',
          queuePosition: 1,
          finishedAt: undefined,
        }),
      ),
      getChange: jest.fn(async () =>
        change('production', {
          id: 'change-4',
          revision: 4,
          action: 'restart',
          status: steps[Math.min(step++, steps.length - 1)],
        }),
      ),
    });
    const production = await renderContent(api);
    await user.click(
      within(production).getByRole('button', { name: 'Restart' }),
    );
    const dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Restart' }));

    expect(
      await within(production).findByText(
        'Queued the restart of payments-api in production (revision 4), behind 1 earlier change — this page follows it.',
      ),
    ).toBeInTheDocument();
    expect(
      await within(production).findByText(
        'Restarted payments-api in production (revision 4, succeeded)',
        {},
        { timeout: 10_000 },
      ),
    ).toBeInTheDocument();
    expect(api.getChange).toHaveBeenCalledWith('change-4');
  });

  it('shows a queued change with a Cancel button that withdraws it', async () => {
    const queued = () => ({
      entityRef: ENTITY_REF,
      environments: [
        environment('development', {
          deployments: [
            running('development', {
              ...record('development', {
                id: 'change-9',
                revision: 9,
                action: 'update',
                status: 'queued',
                finishedAt: undefined,
              }),
            }),
          ],
        }),
        environment('production'),
      ],
    });
    const api = fakeApi(queued);
    await renderContent(api);
    const development = screen.getByTestId('environment-development');
    expect(
      within(development).getByText(
        'Revision 9 (update) is queued: it runs once the changes before it have ended.',
      ),
    ).toBeInTheDocument();
    await user.click(
      within(development).getByRole('button', { name: 'Cancel' }),
    );
    expect(api.cancelChange).toHaveBeenCalledWith('change-9');
    expect(
      await within(development).findByText(
        'Cancelled revision 9 of payments-api in development before it ran.',
      ),
    ).toBeInTheDocument();
  });

  it('does nothing when the confirmation is cancelled', async () => {
    const api = fakeApi(allFour);
    const production = await renderContent(api);

    await user.click(
      within(production).getByRole('button', { name: 'Delete' }),
    );
    const dialog = await screen.findByRole('dialog', {
      name: 'Delete payments-api from production?',
    });
    expect(dialog).toHaveTextContent('payments-api-production');
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));

    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(api.delete).not.toHaveBeenCalled();
  });

  it('deletes after confirmation', async () => {
    const api = fakeApi(allFour);
    const production = await renderContent(api);

    await user.click(
      within(production).getByRole('button', { name: 'Delete' }),
    );
    const dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Delete' }));

    await waitFor(() => expect(api.delete).toHaveBeenCalledWith(productionKey));
  });

  it('scales to the number entered', async () => {
    const api = fakeApi(allFour);
    const production = await renderContent(api);

    await user.click(within(production).getByRole('button', { name: 'Scale' }));
    const dialog = await screen.findByRole('dialog', {
      name: 'Scale payments-api in production',
    });
    const replicas = within(dialog).getByLabelText('Replicas');
    expect(replicas).toHaveValue(2);
    // The current count is no change; a negative one is no count.
    expect(
      within(dialog).getByRole('button', { name: 'Scale to 2' }),
    ).toBeDisabled();
    await user.clear(replicas);
    await user.type(replicas, '-1');
    expect(
      within(dialog).getByText('Enter a whole number from 0 to 100'),
    ).toBeInTheDocument();
    await user.clear(replicas);
    await user.type(replicas, '4');
    await user.click(
      within(dialog).getByRole('button', { name: 'Scale to 4' }),
    );

    await waitFor(() =>
      expect(api.scale).toHaveBeenCalledWith(productionKey, 4),
    );
  });

  it('rolls back to a revision chosen in the history', async () => {
    const api = fakeApi(allFour);
    const production = await renderContent(api);

    // The history is there on demand, not in the way.
    const toggle = within(production).getByRole('button', {
      name: /History \(3 revisions\)/,
    });
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    expect(
      within(production).queryByRole('button', { name: 'Roll back to 2' }),
    ).toBeNull();
    await user.click(toggle);
    expect(toggle).toHaveAttribute('aria-expanded', 'true');

    // Revision 3 runs, revision 1 failed: only revision 2 qualifies.
    await user.click(
      await within(production).findByRole('button', { name: 'Roll back to 2' }),
    );
    expect(
      within(production).queryByRole('button', { name: 'Roll back to 1' }),
    ).toBeNull();
    expect(
      within(production).queryByRole('button', { name: 'Roll back to 3' }),
    ).toBeNull();
    const dialog = await screen.findByRole('dialog', {
      name: 'Roll back payments-api in production to revision 2?',
    });
    expect(dialog).toHaveTextContent('ghcr.io/acme/payments-api:1.4.1');
    await user.click(within(dialog).getByRole('button', { name: 'Roll back' }));

    await waitFor(() =>
      expect(api.rollback).toHaveBeenCalledWith(productionKey, 2),
    );
  });

  it('shows drift found by the check and re-applies the running revision after confirmation', async () => {
    const withDrift = () => {
      const page = allFour();
      const production = page.environments[3].deployments[0];
      production.drift = {
        revision: production.record.revision,
        detectedAt: '2026-12-02T10:00:00.000Z',
        checkedAt: '2026-12-02T10:05:00.000Z',
        fields: [
          {
            object: 'Deployment/payments-api',
            path: 'spec.replicas',
            change: 'changed',
            applied: '2',
            live: '5',
            manager: 'kubectl-edit',
          },
          { object: 'Service/payments-api', change: 'removed' },
        ],
        moreFields: 0,
      };
      return page;
    };
    const api = fakeApi(withDrift);
    const production = await renderContent(api);

    const drift = within(production).getByTestId('deployment-drift');
    expect(drift).toHaveTextContent('Changed outside the portal');
    expect(drift).toHaveTextContent(
      'Deployment/payments-api spec.replicas changed from 2 to 5 by kubectl-edit',
    );
    expect(drift).toHaveTextContent('Service/payments-api deleted');
    // The development deployment did not drift.
    expect(
      within(screen.getByTestId('environment-development')).queryByTestId(
        'deployment-drift',
      ),
    ).toBeNull();

    await user.click(within(drift).getByRole('button', { name: 'Re-apply' }));
    const dialog = await screen.findByRole('dialog', {
      name: 'Re-apply revision 3 of payments-api in production?',
    });
    await user.click(within(dialog).getByRole('button', { name: 'Re-apply' }));
    await waitFor(() =>
      expect(api.rollback).toHaveBeenCalledWith(productionKey, 3),
    );
  });

  it("shows the backend's message when a change is refused", async () => {
    const api = fakeApi(allFour, {
      restart: jest.fn(async () => {
        throw await responseError(
          409,
          'ConflictError',
          'Another change to payments-api in production is in progress',
        );
      }),
    });
    const production = await renderContent(api);

    await user.click(
      within(production).getByRole('button', { name: 'Restart' }),
    );
    await user.click(
      within(await screen.findByRole('dialog')).getByRole('button', {
        name: 'Restart',
      }),
    );

    expect(
      await within(production).findByText(
        'Could not restart payments-api in production: Another change to payments-api in production is in progress',
      ),
    ).toBeInTheDocument();
  });

  it('shows the backend error when the deployments cannot be read', async () => {
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [
            deploymentsApiRef,
            fakeApi(allFour, {
              getEntityDeployments: async () => {
                throw await responseError(
                  403,
                  'NotAllowedError',
                  'Access denied',
                );
              },
            }),
          ],
          mockApis.permission(),
        ]}
      >
        <EntityProvider entity={deployableEntity()}>
          <EntityDeploymentsContent />
        </EntityProvider>
      </TestApiProvider>,
    );

    expect(await screen.findByText(/Access denied/)).toBeInTheDocument();
  });
});
