import { screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { VersionChange } from './VersionChange';

const HEX = 'aae600c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f809';

describe('VersionChange', () => {
  it('shows from → to, each short, each with its copy button', async () => {
    await renderInTestApp(
      <VersionChange
        fromVersion="ghcr.io/acme/api:1.4.1"
        toVersion={`ghcr.io/acme/api@sha256:${HEX}`}
      />,
    );
    expect(screen.getByTestId('version-change')).toHaveTextContent(
      'ghcr.io/acme/api:1.4.1 → ghcr.io/acme/api@sha256:aae600c1d2e3…',
    );
    expect(
      screen.getAllByRole('button', { name: /^Copy image reference/ }),
    ).toHaveLength(2);
  });

  it('shows only the new version of a first deployment', async () => {
    await renderInTestApp(<VersionChange toVersion="ghcr.io/acme/api:1.0.0" />);
    expect(screen.getByTestId('version-change')).toHaveTextContent(
      /^ghcr\.io\/acme\/api:1\.0\.0$/,
    );
  });

  it('says a deletion removes the version', async () => {
    await renderInTestApp(
      <VersionChange fromVersion="ghcr.io/acme/api:1.0.0" action="delete" />,
    );
    expect(screen.getByTestId('version-change')).toHaveTextContent(
      'ghcr.io/acme/api:1.0.0 → (removed)',
    );
  });
});
