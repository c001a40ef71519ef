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

    const reasons: Record<string, string> = {
      Restart: 'You are not allowed to restart deployments',
      Scale: 'You are not allowed to change deployments',
      'Roll back': 'You are not allowed to roll back deployments',
      Delete: 'You are not allowed to delete deployments',
    };
    for (const [name, reason] of Object.entries(reasons)) {
      // Disabled, yet focusable, with the reason as its description.
      await waitFor(() =>
        expect(
          within(production).getByRole('button', { name }),
        ).toHaveAttribute('aria-disabled', 'true'),
      );
      expect(
        within(production).getByRole('button', { name }),
      ).toHaveAccessibleDescription(reason);
    }
    await user.click(
      within(production).getByRole('button', { name: /^History/ }),
    );
    const rollbackTo = await within(production).findByRole('button', {
      name: 'Roll back to 2',
    });
    expect(rollbackTo).toHaveAttribute('aria-disabled', 'true');
    // A click does nothing: no dialog opens.
    await user.click(rollbackTo);
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    const deploy = screen.getByRole('button', { name: 'Deploy to production' });
    expect(deploy).toHaveAttribute('aria-disabled', 'true');
    expect(deploy.closest('a')).toBeNull();

    // Keyboard users reach the button, and the reason with it.
    const restart = within(production).getByRole('button', { name: 'Restart' });
    restart.focus();
    expect(restart).toHaveFocus();
    await user.hover(restart);
    expect(
      await screen.findByRole('tooltip', {
        name: 'You are not allowed to restart deployments',
      }),
    ).toBeInTheDocument();
  });
});
