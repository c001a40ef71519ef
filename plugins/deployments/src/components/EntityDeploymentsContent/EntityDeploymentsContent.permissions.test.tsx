import { screen, waitFor, within } from '@testing-library/react';
import {
  allFour,
  fakeApi,
  renderContent,
} from '../../__testUtils__/entityDeployments';
import { testUser } from '../../__testUtils__/render';

const user = testUser();

// Whole pages of material-table tables render slowly in jsdom on a busy
// machine; this is a budget, not a measurement.
jest.setTimeout(20_000);

// Its own file: usePermission caches decisions (SWR) for the whole module,
// so denials cannot share a file with the tests that are allowed everything.
describe('EntityDeploymentsContent without permissions', () => {
  it('disables what the permission policy does not allow, and says why', async () => {
    await renderContent(
      fakeApi(allFour),
      name => name === 'deployments.deployment.read',
    );
    const production = screen.getByTestId('environment-production');

    for (const name of ['Restart', 'Scale', 'Roll back', 'Delete']) {
      await waitFor(() =>
        expect(within(production).getByRole('button', { name })).toBeDisabled(),
      );
    }
    await user.click(
      within(production).getByRole('button', { name: /^History/ }),
    );
    expect(
      await within(production).findByRole('button', { name: 'Roll back to 2' }),
    ).toBeDisabled();
    expect(screen.getByText('Deploy to production').closest('a')).toHaveClass(
      'Mui-disabled',
    );

    await user.hover(
      within(production).getByRole('button', { name: 'Restart' })
        .parentElement!,
    );
    expect(
      await screen.findByText('You are not allowed to restart deployments'),
    ).toBeInTheDocument();
  });
});
