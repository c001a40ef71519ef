import { render, screen } from '@testing-library/react';
import { ConfirmActionDialog } from './ConfirmActionDialog';
import { testUser } from '../../__testUtils__/render';

const user = testUser();

describe('ConfirmActionDialog', () => {
  it('confirms or cancels', async () => {
    const onConfirm = jest.fn();
    const onCancel = jest.fn();
    render(
      <ConfirmActionDialog
        open
        title="Restart payments-api?"
        confirmLabel="Restart"
        onConfirm={onConfirm}
        onCancel={onCancel}
      >
        Every pod is replaced, one at a time.
      </ConfirmActionDialog>,
    );

    expect(
      screen.getByRole('dialog', { name: 'Restart payments-api?' }),
    ).toHaveTextContent('Every pod is replaced, one at a time.');
    await user.click(screen.getByRole('button', { name: 'Restart' }));
    expect(onConfirm).toHaveBeenCalledTimes(1);
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(onCancel).toHaveBeenCalledTimes(1);
  });

  it('cannot be confirmed twice while the action runs', () => {
    render(
      <ConfirmActionDialog
        open
        busy
        title="Delete payments-api?"
        confirmLabel="Delete"
        destructive
        onConfirm={jest.fn()}
        onCancel={jest.fn()}
      >
        Everything it created is removed.
      </ConfirmActionDialog>,
    );

    expect(screen.getByRole('button', { name: 'Delete' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Cancel' })).toBeDisabled();
  });
});
