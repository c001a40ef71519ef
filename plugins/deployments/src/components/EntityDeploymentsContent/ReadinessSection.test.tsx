import { screen, within } from '@testing-library/react';
import {
  renderInTestApp,
  TestApiProvider,
} from '@backstage/frontend-test-utils';
import { deploymentsApiRef } from '../../api';
import { readinessWithGaps } from '../../__testUtils__/readiness';
import { ReadinessSection } from './ReadinessSection';

describe('ReadinessSection', () => {
  it('sums up the checklist on the Deployments tab and lists only what to check', async () => {
    const getReadiness = jest.fn().mockResolvedValue(readinessWithGaps());
    await renderInTestApp(
      <TestApiProvider apis={[[deploymentsApiRef, { getReadiness }]]}>
        <ReadinessSection entityRef="component:default/payments-api" />
      </TestApiProvider>,
    );
    const section = await screen.findByTestId('readiness-section');
    expect(
      within(section).getByText('Readiness: 4 of 7 ready — 3 items to check'),
    ).toBeInTheDocument();
    expect(
      within(section)
        .getAllByTestId(/^readiness-/)
        .map(e => e.dataset.testid),
    ).toEqual(['readiness-health', 'readiness-runbook', 'readiness-secrets']);
    expect(
      within(section).getByRole('link', {
        name: /Add a runbook link to catalog-info.yaml/,
      }),
    ).toBeInTheDocument();
  });
});
