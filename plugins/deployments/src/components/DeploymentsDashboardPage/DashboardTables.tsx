import Typography from '@material-ui/core/Typography';
import { memo } from 'react';
import { Table, TableColumn } from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import {
  DeploymentsDashboard,
  compareEnvironments,
  FirstDeployment,
  TeamEnvironmentFigures,
} from '@deployments-portal/backstage-plugin-deployments-common';
import {
  formatDateTime,
  formatDuration,
  formatPercent,
  shortRef,
} from '../../lib/format';
import { applicationColumn, dateTimeColumn } from '../../lib/columns';
import { DeploymentStatusBadge } from '../StatusBadges';

type TeamRecord = DeploymentsDashboard['deployments'][number];

const dense = {
  search: false,
  sorting: true,
  padding: 'dense' as const,
  paging: true,
  pageSize: 10,
  emptyRowsWhenPaging: false,
};

function TeamLink(props: { team: string }) {
  return props.team ? (
    <EntityRefLink entityRef={props.team} defaultKind="group" />
  ) : (
    <>unowned</>
  );
}

function figureColumns(
  byEnvironment: (a: string, b: string) => number,
): TableColumn<TeamEnvironmentFigures>[] {
  return [
    {
      title: 'Team',
      field: 'team',
      render: row => <TeamLink team={row.team} />,
    },
    {
      title: 'Environment',
      field: 'environment',
      customSort: (a, b) => byEnvironment(a.environment, b.environment),
    },
    { title: 'Deployments', field: 'deployments', type: 'numeric' },
    { title: 'Succeeded', field: 'succeeded', type: 'numeric' },
    { title: 'Failed', field: 'failed', type: 'numeric' },
    {
      title: 'Success rate',
      field: 'successRate',
      type: 'numeric',
      render: row => formatPercent(row.successRate),
    },
    {
      title: 'Mean deploy time',
      field: 'meanDeploySeconds',
      type: 'numeric',
      render: row => formatDuration(row.meanDeploySeconds),
    },
    {
      title: 'Mean time to recovery',
      field: 'meanTimeToRecoverySeconds',
      type: 'numeric',
      render: row => formatDuration(row.meanTimeToRecoverySeconds),
    },
  ];
}

/** Delivery figures per team and environment. */
export const FiguresTable = memo(function FiguresTableView(props: {
  figures: TeamEnvironmentFigures[];
  /** The configured environments, in order. */
  environments: string[];
}) {
  const byEnvironment = compareEnvironments(props.environments);
  const rows = [...props.figures].sort(
    (a, b) =>
      a.team.localeCompare(b.team) ||
      byEnvironment(a.environment, b.environment),
  );
  return (
    <Table
      title="Delivery figures per team and environment"
      options={dense}
      columns={figureColumns(byEnvironment)}
      data={rows}
    />
  );
});

function recordColumns(withError: boolean): TableColumn<TeamRecord>[] {
  const columns: TableColumn<TeamRecord>[] = [
    applicationColumn(),
    {
      title: 'Team',
      field: 'team',
      render: row => <TeamLink team={row.team} />,
    },
    { title: 'Environment', field: 'environment' },
    { title: 'Revision', field: 'revision', type: 'numeric' },
    { title: 'Action', field: 'action' },
    {
      title: 'Status',
      field: 'status',
      render: row => (
        <>
          <DeploymentStatusBadge status={row.status} />
          {row.drift && (
            <Typography
              variant="caption"
              color="error"
              component="div"
              title={`Changed outside the portal since ${
                row.drift.detectedAt
              }: ${row.drift.fields
                .map(f => (f.path ? `${f.object} ${f.path}` : f.object))
                .join(', ')}`}
            >
              drifted
            </Typography>
          )}
        </>
      ),
    },
    { title: 'Image', field: 'image' },
    {
      title: 'By',
      field: 'requester',
      render: row => (
        <span title={row.requester}>{shortRef(row.requester)}</span>
      ),
    },
    dateTimeColumn('When', 'createdAt', { defaultSort: 'desc' }),
  ];
  if (withError) {
    columns.push({ title: 'Error', field: 'error' });
  }
  return columns;
}

const deploymentColumns = recordColumns(false);
const failureColumns = recordColumns(true);

/** The latest record of every deployment. */
export const DeploymentsTable = memo(function DeploymentsTableView(props: {
  deployments: TeamRecord[];
}) {
  return (
    <Table
      title="Deployments"
      options={{ ...dense, search: true }}
      columns={deploymentColumns}
      data={props.deployments}
    />
  );
});

/** The most recent failed and rolled-back records. */
export const RecentFailuresTable = memo(
  function RecentFailuresTableView(props: { failures: TeamRecord[] }) {
    return (
      <Table
        title="Recent failures"
        options={dense}
        columns={failureColumns}
        data={props.failures}
        emptyContent={<div style={{ padding: 16 }}>No failures.</div>}
      />
    );
  },
);

const firstDeploymentColumns: TableColumn<FirstDeployment>[] = [
  applicationColumn(),
  { title: 'Team', field: 'team', render: row => <TeamLink team={row.team} /> },
  dateTimeColumn('First requested', 'firstRequestedAt'),
  {
    title: 'First succeeded',
    field: 'firstSucceededAt',
    render: row =>
      row.firstSucceededAt ? formatDateTime(row.firstSucceededAt) : 'never',
  },
  {
    title: 'Time to first deployment',
    field: 'seconds',
    type: 'numeric',
    render: row => formatDuration(row.seconds),
  },
];

/** How long each application took from first request to first success. */
export const FirstDeploymentsTable = memo(
  function FirstDeploymentsTableView(props: {
    firstDeployments: FirstDeployment[];
  }) {
    return (
      <Table
        title="Time to first deployment"
        options={dense}
        columns={firstDeploymentColumns}
        data={props.firstDeployments}
      />
    );
  },
);
