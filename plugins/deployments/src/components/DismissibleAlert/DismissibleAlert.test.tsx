import { fireEvent, render, screen } from '@testing-library/react';
import { DismissibleAlert } from './DismissibleAlert';

describe('DismissibleAlert', () => {
  it('shows the message with its severity and closes on request', () => {
    const onClose = jest.fn();
    render(
      <DismissibleAlert severity="warning" onClose={onClose}>
        Approved, but applying it failed
      </DismissibleAlert>,
    );
    const alert = screen.getByRole('alert');
    expect(alert).toHaveTextContent('Approved, but applying it failed');
    expect(alert.className).toMatch(/standardWarning/);
    fireEvent.click(screen.getByRole('button', { name: 'Close' }));
    expect(onClose).toHaveBeenCalledTimes(1);
  });
});
