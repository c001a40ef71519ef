import { Link, Table, TableColumn } from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { AuditEvent } from '@deployments-portal/backstage-plugin-deployments-common';
import { PortalLinks, usePortalLinks } from '../../hooks/usePortalLinks';
import { ONE_LINE } from '../../lib/columns';
import { NO_VALUE, shortRef } from '../../lib/format';
import { auditActionLabel } from '../../lib/governance';
import { FITTING_TABLE } from '../../lib/tables';
import {
  RelativeTime,
  StatusChip,
  TruncatedText,
  VersionChange,
} from '../shared';

function columns(
  showEntity: boolean,
  links: PortalLinks,
): TableColumn<AuditEvent>[] {
  return [
    {
      title: 'At',
      field: 'at',
      width: '9%',
      render: row => <RelativeTime value={row.at} />,
    },
    {
      title: 'Actor',
      field: 'actor',
      width: '9%',
      render: row => <TruncatedText text={shortRef(row.actor)} />,
    },
    {
      title: 'Action',
      field: 'action',
      width: '11%',
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
      width: '11%',
      render: row => <StatusChip kind="audit" status={row.result} />,
    },
    ...(showEntity
      ? [
          {
            title: 'Application',
            field: 'entityRef',
            width: '11%',
            render: (row: AuditEvent) =>
              row.entityRef ? (
                <span style={ONE_LINE}>
                  <EntityRefLink entityRef={row.entityRef} />
                </span>
              ) : (
                NO_VALUE
              ),
          },
        ]
      : []),
    {
      title: 'Environment',
      field: 'environment',
      width: '8%',
      render: row => <TruncatedText text={row.environment ?? NO_VALUE} />,
    },
    {
      title: 'Version',
      width: '18%',
      render: row => <VersionChange {...row} />,
    },
    {
      title: 'Message',
      field: 'message',
      // material-table gives a column without a width all of it: every
      // column has one, summing to 100 %.
      width: showEntity ? '15%' : '26%',
      render: row => <TruncatedText text={row.message ?? ''} lines={2} />,
    },
    {
      title: 'Task',
      field: 'taskId',
      width: '8%',
      render: row =>
        row.taskId ? (
          <Link to={links.task(row.taskId)} style={ONE_LINE} title={row.taskId}>
            {row.taskId}
          </Link>
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
        ...FITTING_TABLE,
        paging: props.events.length > 20,
        pageSize: 20,
      }}
      emptyContent={<div style={{ padding: 16 }}>Nothing recorded yet.</div>}
    />
  );
}
