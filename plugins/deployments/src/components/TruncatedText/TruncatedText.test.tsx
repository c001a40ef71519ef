import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { TruncatedText } from './TruncatedText';

const LONG = `ImagePullBackOff: ${'the registry did not answer '.repeat(
  10,
)}`.trim();

describe('TruncatedText', () => {
  it('keeps the whole text in the page, on one line, and in a tooltip', async () => {
    await renderInTestApp(<TruncatedText text={LONG} />);
    const text = screen.getByText(LONG);
    expect(text).toHaveStyle({
      whiteSpace: 'nowrap',
      textOverflow: 'ellipsis',
      overflow: 'hidden',
    });
    await userEvent.hover(text);
    expect(await screen.findByRole('tooltip')).toHaveTextContent(LONG);
  });

  it('clamps to a number of lines', async () => {
    await renderInTestApp(<TruncatedText text={LONG} lines={2} />);
    expect(screen.getByText(LONG)).toHaveStyle({ WebkitLineClamp: 2 });
  });

  it('renders nothing for no text', async () => {
    await renderInTestApp(
      <div data-testid="cell">
        <TruncatedText text="" />
      </div>,
    );
    expect(screen.getByTestId('cell')).toBeEmptyDOMElement();
  });
});
