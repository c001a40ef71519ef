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
import { formatDuration, formatPercent, shortRef } from '../../lib/format';
import { applicationColumn, dateTimeColumn, ONE_LINE } from '../../lib/columns';
import { FITTING_TABLE } from '../../lib/tables';
import {
  ImageReference,
  RelativeTime,
  StatusChip,
  TruncatedText,
} from '../shared';

type TeamRecord = DeploymentsDashboard['deployments'][number];

const dense = {
  ...FITTING_TABLE,
  search: false,
  sorting: true,
  paging: true,
  pageSize: 10,
};

function TeamLink(props: { team: string }) {
  return props.team ? (
    <span style={ONE_LINE}>
      <EntityRefLink entityRef={props.team} defaultKind="group" />
    </span>
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
      width: '20%',
      render: row => <TeamLink team={row.team} />,
    },
    {
      title: 'Environment',
      field: 'environment',
      width: '16%',
      customSort: (a, b) => byEnvironment(a.environment, b.environment),
      render: row => <TruncatedText text={row.environment} />,
    },
    {
      title: 'Deployments',
      field: 'deployments',
      type: 'numeric',
      width: '20%',
      // Three counts in one column, so the table fits 1024 px.
      render: row => (
        <>
          <div>{row.deployments}</div>
          <Typography variant="caption" component="div">
            <TruncatedText
              text={`${row.succeeded} succeeded · ${row.failed} failed`}
            />
          </Typography>
        </>
      ),
    },
    {
      title: 'Success rate',
      field: 'successRate',
      type: 'numeric',
      width: '14%',
      render: row => formatPercent(row.successRate),
    },
    {
      title: 'Mean deploy time',
      field: 'meanDeploySeconds',
      type: 'numeric',
      width: '15%',
      render: row => formatDuration(row.meanDeploySeconds),
    },
    {
      title: 'Mean time to recovery',
      width: '15%',
      field: 'meanTimeToRecoverySeconds',
      type: 'numeric',
      render: row => formatDuration(row.meanTimeToRecoverySeconds),
    },
  ];
}

/** ' (last N days)', or nothing for all time. */
function windowTitle(days: number | undefined): string {
  return days ? ` (last ${days} days)` : '';
}

/** Delivery figures per team and environment. */
export const FiguresTable = memo(function FiguresTableView(props: {
  figures: TeamEnvironmentFigures[];
  /** The configured environments, in order. */
  environments: string[];
  /** The days the figures look back over; all time when absent. */
  windowDays?: number;
}) {
  const byEnvironment = compareEnvironments(props.environments);
  const rows = [...props.figures].sort(
    (a, b) =>
      a.team.localeCompare(b.team) ||
      byEnvironment(a.environment, b.environment),
  );
  return (
    <Table
      title={`Delivery figures per team and environment${windowTitle(
        props.windowDays,
      )}`}
      options={dense}
      columns={figureColumns(byEnvironment)}
      data={rows}
    />
  );
});

function recordColumns(withError: boolean): TableColumn<TeamRecord>[] {
  // Five columns (six with the error), so each has room at 1024 px.
  const columns: TableColumn<TeamRecord>[] = [
    {
      title: 'Application',
      field: 'entityRef',
      width: withError ? '18%' : '20%',
      render: row => (
        <>
          <span style={ONE_LINE}>
            <EntityRefLink entityRef={row.entityRef} />
          </span>
          <TruncatedText text={row.environment} />
        </>
      ),
    },
    {
      title: 'Team',
      field: 'team',
      width: withError ? '12%' : '14%',
      render: row => <TeamLink team={row.team} />,
    },
    {
      title: 'Revision',
      field: 'status',
      width: withError ? '16%' : '18%',
      render: row => (
        <>
          <TruncatedText text={`${row.revision} · ${row.action}`} />
          <StatusChip kind="change" status={row.status} />
          {row.drift && (
            <Typography variant="caption" component="div">
              <TruncatedText
                text={`drifted: changed outside the portal since ${new Date(
                  row.drift.detectedAt,
                ).toLocaleString()}: ${row.drift.fields
                  .map(f => (f.path ? `${f.object} ${f.path}` : f.object))
                  .join(', ')}`}
              />
            </Typography>
          )}
        </>
      ),
    },
    {
      title: 'Image',
      field: 'image',
      width: withError ? '22%' : '32%',
      render: row => <ImageReference image={row.image} digest={row.digest} />,
    },
    {
      title: 'By, when',
      field: 'createdAt',
      defaultSort: 'desc',
      width: withError ? '12%' : '16%',
      render: row => (
        <>
          <TruncatedText text={shortRef(row.requester)} />
          <RelativeTime value={row.createdAt} />
        </>
      ),
    },
  ];
  if (withError) {
    columns.push({
      title: 'Error',
      field: 'error',
      width: '20%',
      render: row => <TruncatedText text={row.error ?? ''} lines={2} />,
    });
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
  { ...applicationColumn<FirstDeployment>(), width: '22%' },
  {
    title: 'Team',
    field: 'team',
    width: '20%',
    render: row => <TeamLink team={row.team} />,
  },
  dateTimeColumn('First requested', 'firstRequestedAt', { width: '18%' }),
  {
    title: 'First succeeded',
    field: 'firstSucceededAt',
    width: '18%',
    render: row =>
      row.firstSucceededAt ? (
        <RelativeTime value={row.firstSucceededAt} />
      ) : (
        'never'
      ),
  },
  {
    title: 'Time to first deployment',
    width: '22%',
    field: 'seconds',
    type: 'numeric',
    render: row => formatDuration(row.seconds),
  },
];

/** How long each application took from first request to first success. */
export const FirstDeploymentsTable = memo(
  function FirstDeploymentsTableView(props: {
    firstDeployments: FirstDeployment[];
    /** Applications first requested in the last days; all when absent. */
    windowDays?: number;
  }) {
    return (
      <Table
        title={`Time to first deployment${windowTitle(props.windowDays)}`}
        options={dense}
        columns={firstDeploymentColumns}
        data={props.firstDeployments}
      />
    );
  },
);
