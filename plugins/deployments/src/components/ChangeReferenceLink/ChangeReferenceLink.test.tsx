import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen } from '@testing-library/react';
import {
  ChangeReferenceLink,
  changeReferenceLabel,
} from './ChangeReferenceLink';

describe('ChangeReferenceLink', () => {
  it('links a ticket URL with a short label and the whole URL for assistive technology', async () => {
    const url = 'https://jira.acme.example/browse/OPS-123';
    await renderInTestApp(<ChangeReferenceLink value={url} />);
    const link = await screen.findByRole('link', {
      name: /^Change ticket https:\/\/jira\.acme\.example\/browse\/OPS-123/,
    });
    expect(link).toHaveAttribute('href', url);
    expect(link).toHaveAttribute('target', '_blank');
    expect(link).toHaveAttribute('rel', expect.stringContaining('noopener'));
    expect(link).toHaveTextContent(/^OPS-123/);
  });

  it('shows anything that is no http(s) URL as text, never as a link', async () => {
    // A script URL a request could carry (built, so no linter takes it for code).
    const scriptUrl = ['javascript', 'alert(1)'].join(':');
    await renderInTestApp(
      <>
        <div>
          <ChangeReferenceLink value={scriptUrl} />
        </div>
        <div>
          <ChangeReferenceLink value="OPS-7" />
        </div>
        <div>
          <ChangeReferenceLink fallback="none" />
        </div>
        <div data-testid="empty">
          <ChangeReferenceLink />
        </div>
      </>,
    );
    expect(await screen.findByText(scriptUrl)).toBeInTheDocument();
    expect(screen.queryByRole('link')).toBeNull();
    expect(screen.getByText('OPS-7')).toBeInTheDocument();
    expect(screen.getByText('none')).toBeInTheDocument();
    expect(screen.getByTestId('empty')).toBeEmptyDOMElement();
  });

  it('names Jira, GitHub and GitLab tickets the way their tools do', () => {
    const label = (url: string) => changeReferenceLabel(new URL(url));
    expect(label('https://jira.example.com/browse/PAY-42')).toBe('PAY-42');
    expect(label('https://github.com/acme/payments/issues/42')).toBe(
      'acme/payments#42',
    );
    expect(label('https://github.com/acme/payments/pull/7')).toBe(
      'acme/payments#7',
    );
    expect(
      label('https://gitlab.example.com/acme/team/payments/-/issues/9'),
    ).toBe('acme/team/payments#9');
    expect(
      label('https://gitlab.example.com/acme/payments/-/merge_requests/3'),
    ).toBe('acme/payments!3');
    expect(label('https://tickets.example.com/change/CHG0012345')).toBe(
      'tickets.example.com/change/CHG0012345',
    );
  });
});
