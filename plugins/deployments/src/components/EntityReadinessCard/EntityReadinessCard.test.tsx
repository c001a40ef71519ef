import { screen, within } from '@testing-library/react';
import {
  createExtensionTester,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { deploymentsApiRef } from '../../api';
import { deploymentsPlugin, entityReadinessCard } from '../../plugin';
import { deployableEntity } from '../../__testUtils__/deployments';
import { EDIT_URL, readinessWithGaps } from '../../__testUtils__/readiness';
import { EntityReadinessCard } from './EntityReadinessCard';

async function renderCard(getReadiness: jest.Mock) {
  await renderInTestApp(
    <TestApiProvider apis={[[deploymentsApiRef, { getReadiness }]]}>
      <EntityProvider entity={deployableEntity()}>
        <EntityReadinessCard />
      </EntityProvider>
    </TestApiProvider>,
  );
}

describe('EntityReadinessCard', () => {
  it('shows the score and every item with a word for its status, each gap with its fix link', async () => {
    const getReadiness = jest.fn().mockResolvedValue(readinessWithGaps());
    await renderCard(getReadiness);

    expect(await screen.findByTestId('readiness-score')).toHaveTextContent(
      '4 of 7 ready',
    );
    expect(getReadiness).toHaveBeenCalledWith('component:default/payments-api');
    expect(
      screen.getAllByTestId(/^readiness-/).map(e => e.dataset.testid),
    ).toEqual([
      'readiness-score',
      'readiness-owner',
      'readiness-image-annotation',
      'readiness-health',
      'readiness-api-docs',
      'readiness-techdocs',
      'readiness-runbook',
      'readiness-secrets',
    ]);
    // The status is said in words, next to the icon, not by colour alone.
    const owner = within(screen.getByTestId('readiness-owner'));
    expect(owner.getByText('Ready')).toBeInTheDocument();
    expect(
      owner.getByText('Owned by group:default/team-payments'),
    ).toBeInTheDocument();
    expect(owner.queryByRole('link')).toBeNull();

    const runbook = within(screen.getByTestId('readiness-runbook'));
    expect(runbook.getByText('Missing')).toBeInTheDocument();
    expect(
      runbook.getByRole('link', {
        name: /Add a runbook link to catalog-info.yaml/,
      }),
    ).toHaveAttribute('href', EDIT_URL);

    const secrets = within(screen.getByTestId('readiness-secrets'));
    expect(
      secrets.getByText(
        /Secret payments-db in namespace payments-api-production/,
      ),
    ).toBeInTheDocument();
    expect(
      secrets.getByRole('link', { name: 'Secrets of a deployment' }),
    ).toHaveAttribute(
      'href',
      '/docs/default/component/deployments-portal/policies/#secret-exists',
    );

    const health = within(screen.getByTestId('readiness-health'));
    expect(health.getByText('Unknown')).toBeInTheDocument();
    expect(
      health.getByText(/Not checked yet in production/),
    ).toBeInTheDocument();
  });

  it("says why when the checklist can't be read", async () => {
    await renderCard(
      jest.fn().mockRejectedValue(new Error('backend unavailable')),
    );
    expect(
      (await screen.findAllByText(/backend unavailable/)).length,
    ).toBeGreaterThan(0);
    expect(screen.queryByTestId('readiness-score')).toBeNull();
  });

  it('is an entity card of the plugin for deployable components (new frontend system)', () => {
    expect(
      deploymentsPlugin.getExtension('entity-card:deployments/readiness'),
    ).toMatchObject({
      kind: 'entity-card',
      name: 'readiness',
      namespace: 'deployments',
    });
    expect(createExtensionTester(entityReadinessCard)).toBeDefined();
  });
});
