import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { ImageReference } from './ImageReference';

const HEX = 'aae600c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f809';

describe('ImageReference', () => {
  it('shows a digest reference with 12 hex digits, the whole one in a tooltip', async () => {
    const image = `ghcr.io/acme/orders-api@sha256:${HEX}`;
    await renderInTestApp(<ImageReference image={image} />);
    const text = screen.getByText(
      'ghcr.io/acme/orders-api@sha256:aae600c1d2e3…',
    );
    expect(screen.queryByText(new RegExp(HEX))).not.toBeInTheDocument();

    await userEvent.hover(text);
    const tooltip = await screen.findByRole('tooltip');
    expect(tooltip).toHaveTextContent(image);
  });

  it('shows a tag as it is, and the digest it resolved to in the tooltip', async () => {
    const image = 'ghcr.io/acme/orders-api:2.0.1';
    await renderInTestApp(
      <ImageReference image={image} digest={`sha256:${HEX}`} />,
    );
    const text = screen.getByText(image);
    // Reachable by keyboard (in the browser, focus opens the tooltip too).
    await userEvent.tab();
    expect(text).toHaveFocus();
    await userEvent.hover(text);
    const tooltip = await screen.findByRole('tooltip');
    expect(
      within(tooltip).getByText(`resolved to sha256:${HEX}`),
    ).toBeInTheDocument();
  });

  it('copies the whole reference with a labelled button', async () => {
    const image = `ghcr.io/acme/orders-api@sha256:${HEX}`;
    const user = userEvent.setup();
    await renderInTestApp(<ImageReference image={image} />);
    const copy = screen.getByRole('button', {
      name: 'Copy image reference ghcr.io/acme/orders-api@sha256:aae600c1d2e3…',
    });
    await user.click(copy);
    expect(
      await screen.findByText('Image reference copied'),
    ).toBeInTheDocument();
  });
});
