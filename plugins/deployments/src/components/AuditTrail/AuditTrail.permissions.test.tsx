import { screen } from '@testing-library/react';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/frontend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { deploymentsApiRef } from '../../api';
import { AuditTrail } from './AuditTrail';

// A file of its own: usePermission caches decisions per permission across
// the tests of a file.
describe('AuditTrail without deployments.audit.read', () => {
  it('stays closed and says why', async () => {
    const getAudit = jest.fn(async () => ({ items: [] }));
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [deploymentsApiRef, { getAudit }],
          mockApis.permission({ authorize: AuthorizeResult.DENY }),
        ]}
      >
        <AuditTrail defaultExpanded />
      </TestApiProvider>,
    );

    expect(
      await screen.findByText(/You are not allowed to read the audit trail/),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: /Audit trail/ })).toHaveAttribute(
      'aria-disabled',
      'true',
    );
    expect(screen.queryByRole('button', { name: 'Export CSV' })).toBeNull();
    expect(getAudit).not.toHaveBeenCalled();
  });
});
