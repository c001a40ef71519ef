import { useState } from 'react';
import FormControl from '@material-ui/core/FormControl';
import InputLabel from '@material-ui/core/InputLabel';
import MenuItem from '@material-ui/core/MenuItem';
import Select from '@material-ui/core/Select';
import {
  Content,
  Header,
  Page,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useAppLocation } from '@backstage/frontend-plugin-api';
import { ApprovalStatus } from '@deployments-portal/backstage-plugin-deployments-common';
import useAsync from 'react-use/esm/useAsync';
import { deploymentsApiRef } from '../../api';
import { approvalIdFromPath } from '../../lib/governance';
import { ApprovalDetails } from './ApprovalDetails';
import { ApprovalsTable } from './ApprovalsTable';

const STATUS_FILTERS: Array<ApprovalStatus | 'all'> = [
  'all',
  'pending',
  'approved',
  'rejected',
  'expired',
  'stale',
];

function ApprovalsList() {
  const api = useApi(deploymentsApiRef);
  const [status, setStatus] = useState<ApprovalStatus | 'all'>('all');
  const { value, loading, error } = useAsync(
    () => api.listApprovals(status === 'all' ? {} : { status }),
    [api, status],
  );
  return (
    <>
      <FormControl variant="outlined" size="small" style={{ minWidth: 200 }}>
        {/* Text colour: the secondary grey is 4.47:1 on the page background. */}
        <InputLabel id="approval-status-label" style={{ color: 'inherit' }}>
          Status
        </InputLabel>
        <Select
          labelId="approval-status-label"
          id="approval-status"
          label="Status"
          value={status}
          onChange={e => setStatus(e.target.value as ApprovalStatus | 'all')}
        >
          {STATUS_FILTERS.map(s => (
            <MenuItem key={s} value={s}>
              {s === 'all' ? 'All' : s}
            </MenuItem>
          ))}
        </Select>
      </FormControl>
      <div style={{ marginTop: 16 }}>
        {error && <ResponseErrorPanel error={error} />}
        {!error && loading && <Progress />}
        {!error && !loading && value && <ApprovalsTable approvals={value} />}
      </div>
    </>
  );
}

/**
 * The Approvals page: every approval request, pending first, filtered by
 * status (`/deployments/approvals`), and one request with Approve / Reject
 * (`/deployments/approvals/<id>`, the link the backend hands out).
 *
 * @public
 */
export function DeploymentApprovalsPage() {
  // The page reads its own sub-path, so it needs no routing library and
  // works the same in both frontend systems.
  const id = approvalIdFromPath(useAppLocation().pathname);
  return (
    <Page themeId="tool">
      <Header
        title="Deployment approvals"
        subtitle="Changes to environments that require approval, decided by someone other than the requester"
      />
      <Content>{id ? <ApprovalDetails id={id} /> : <ApprovalsList />}</Content>
    </Page>
  );
}
