import { LinkButton } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import useAsync from 'react-use/esm/useAsync';
import { deploymentsApiRef } from '../../api';
import { usePortalLinks } from '../../hooks/usePortalLinks';

/** "Approvals (N pending)": the way to the Approvals page. */
export function ApprovalsLink() {
  const links = usePortalLinks();
  const api = useApi(deploymentsApiRef);
  const { value } = useAsync(
    async () => api.listApprovals({ status: 'pending' }),
    [api],
  );
  // Without the count (still loading, or the backend did not answer) the
  // link still leads to the page, which shows the reason.
  return (
    <LinkButton to={links.approvals} variant="outlined" color="primary">
      {value ? `Approvals (${value.length} pending)` : 'Approvals'}
    </LinkButton>
  );
}
