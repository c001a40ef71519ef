import { Link, Table, TableColumn } from '@backstage/core-components';
import { ApprovalRequest } from '@deployments-portal/backstage-plugin-deployments-common';
import Tooltip from '@material-ui/core/Tooltip';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { ONE_LINE } from '../../lib/columns';
import { FITTING_TABLE } from '../../lib/tables';
import { PortalLinks, usePortalLinks } from '../../hooks/usePortalLinks';
import { shortRef } from '../../lib/format';
import { approvalActionLabel, pendingFirst } from '../../lib/governance';
import {
  RelativeTime,
  StatusChip,
  TruncatedText,
  VersionChange,
} from '../shared';

/** A change reference as a link when it is a URL, else as text; cut to its column. */
export function ChangeReference(props: { value?: string }) {
  const { value } = props;
  if (!value) return <>—</>;
  return /^https?:\/\//i.test(value) ? (
    <Tooltip title={value}>
      <Link
        to={value}
        style={{
          display: 'block',
          overflow: 'hidden',
          textOverflow: 'ellipsis',
          whiteSpace: 'nowrap',
        }}
      >
        {value}
      </Link>
    </Tooltip>
  ) : (
    <TruncatedText text={value} />
  );
}

function columns(links: PortalLinks): TableColumn<ApprovalRequest>[] {
  // Five columns, so each has room at 1024 px: what and where in one cell.
  return [
    {
      title: 'Change',
      field: 'entityRef',
      width: '25%',
      render: row => (
        <>
          <span style={ONE_LINE}>
            <EntityRefLink entityRef={row.entityRef} />
          </span>
          <Link to={links.approval(row.id)} style={ONE_LINE}>
            {approvalActionLabel(row.action)} in {row.environment}
          </Link>
        </>
      ),
    },
    {
      title: 'Version',
      width: '29%',
      render: row => <VersionChange {...row} />,
    },
    {
      title: 'Requested',
      field: 'createdAt',
      width: '17%',
      render: row => (
        <>
          <TruncatedText text={shortRef(row.requester)} />
          <RelativeTime value={row.createdAt} />
          <div>
            <RelativeTime prefix="expires" value={row.expiresAt} />
          </div>
        </>
      ),
    },
    {
      title: 'Status',
      field: 'status',
      width: '16%',
      render: row => (
        <StatusChip kind="approval" status={row.status} result={row.result} />
      ),
    },
    {
      title: 'Ticket',
      field: 'changeReference',
      width: '13%',
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
        ...FITTING_TABLE,
        search: false,
        paging: props.approvals.length > 20,
        pageSize: 20,
      }}
      emptyContent={
        <div style={{ padding: 16 }}>No approval requests match.</div>
      }
    />
  );
}
