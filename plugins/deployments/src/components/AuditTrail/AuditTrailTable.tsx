import { Link, Table, TableColumn } from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { AuditEvent } from '@deployments-portal/backstage-plugin-deployments-common';
import { PortalLinks, usePortalLinks } from '../../hooks/usePortalLinks';
import { formatDateTime, NO_VALUE, shortRef } from '../../lib/format';
import { auditActionLabel, versionChange } from '../../lib/governance';
import { AuditResultBadge } from './AuditResultBadge';

function columns(
  showEntity: boolean,
  links: PortalLinks,
): TableColumn<AuditEvent>[] {
  return [
    { title: 'At', field: 'at', render: row => formatDateTime(row.at) },
    { title: 'Actor', field: 'actor', render: row => shortRef(row.actor) },
    {
      title: 'Action',
      field: 'action',
      render: row =>
        row.approvalId ? (
          <Link to={links.approval(row.approvalId)}>
            {auditActionLabel(row.action)}
          </Link>
        ) : (
          auditActionLabel(row.action)
        ),
    },
    {
      title: 'Result',
      field: 'result',
      render: row => <AuditResultBadge result={row.result} />,
    },
    ...(showEntity
      ? [
          {
            title: 'Application',
            field: 'entityRef',
            render: (row: AuditEvent) =>
              row.entityRef ? (
                <EntityRefLink entityRef={row.entityRef} />
              ) : (
                NO_VALUE
              ),
          },
        ]
      : []),
    {
      title: 'Environment',
      field: 'environment',
      render: row => row.environment ?? NO_VALUE,
    },
    { title: 'Version', render: row => versionChange(row) },
    { title: 'Message', field: 'message', render: row => row.message ?? '' },
    {
      title: 'Task',
      field: 'taskId',
      render: row =>
        row.taskId ? (
          <Link to={links.task(row.taskId)}>{row.taskId}</Link>
        ) : (
          NO_VALUE
        ),
    },
  ];
}

/** Audit events, newest first, as the backend answers them. */
export function AuditTrailTable(props: {
  events: AuditEvent[];
  /** The global trail names the application of each event. */
  showEntity?: boolean;
}) {
  const links = usePortalLinks();
  return (
    <Table<AuditEvent>
      columns={columns(Boolean(props.showEntity), links)}
      // material-table writes into the rows it is given.
      data={props.events.map(e => ({ ...e }))}
      options={{
        toolbar: false,
        search: false,
        sorting: false,
        padding: 'dense',
        paging: props.events.length > 20,
        pageSize: 20,
        emptyRowsWhenPaging: false,
      }}
      emptyContent={<div style={{ padding: 16 }}>Nothing recorded yet.</div>}
    />
  );
}
