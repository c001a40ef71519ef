import { Link, Table, TableColumn } from '@backstage/core-components';
import { ApprovalRequest } from '@deployments-portal/backstage-plugin-deployments-common';
import { applicationColumn, dateTimeColumn } from '../../lib/columns';
import { PortalLinks, usePortalLinks } from '../../hooks/usePortalLinks';
import { shortRef } from '../../lib/format';
import {
  approvalActionLabel,
  pendingFirst,
  versionChange,
} from '../../lib/governance';
import { ApprovalStatusBadge } from './ApprovalStatusBadge';

/** A change reference as a link when it is a URL, else as text. */
export function ChangeReference(props: { value?: string }) {
  const { value } = props;
  if (!value) return <>—</>;
  return /^https?:\/\//i.test(value) ? (
    <Link to={value}>{value}</Link>
  ) : (
    <>{value}</>
  );
}

function columns(links: PortalLinks): TableColumn<ApprovalRequest>[] {
  return [
    applicationColumn(),
    { title: 'Environment', field: 'environment' },
    {
      title: 'Action',
      field: 'action',
      render: row => (
        <Link to={links.approval(row.id)}>
          {approvalActionLabel(row.action)}
        </Link>
      ),
    },
    { title: 'Version', render: row => versionChange(row) },
    {
      title: 'Requester',
      field: 'requester',
      render: row => shortRef(row.requester),
    },
    dateTimeColumn('Requested', 'createdAt'),
    dateTimeColumn('Expires', 'expiresAt'),
    {
      title: 'Status',
      field: 'status',
      render: row => <ApprovalStatusBadge approval={row} />,
    },
    {
      title: 'Change reference',
      field: 'changeReference',
      render: row => <ChangeReference value={row.changeReference} />,
    },
  ];
}

/** Approval requests, pending first; each links to its own page. */
export function ApprovalsTable(props: {
  approvals: ApprovalRequest[];
  title?: string;
}) {
  const links = usePortalLinks();
  return (
    <Table<ApprovalRequest>
      title={props.title ?? 'Approval requests'}
      columns={columns(links)}
      // material-table writes into the rows it is given.
      data={pendingFirst(props.approvals).map(a => ({ ...a }))}
      options={{
        search: false,
        padding: 'dense',
        paging: props.approvals.length > 20,
        pageSize: 20,
        emptyRowsWhenPaging: false,
      }}
      emptyContent={
        <div style={{ padding: 16 }}>No approval requests match.</div>
      }
    />
  );
}
