import {
  Link,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  DeploymentKey,
  DeploymentRecord,
} from '@deployments-portal/backstage-plugin-deployments-common';
import useAsync from 'react-use/esm/useAsync';
import Tooltip from '@material-ui/core/Tooltip';
import { makeStyles } from '@material-ui/core/styles';
import { deploymentsApiRef } from '../../api';
import { Allowance } from '../../hooks/useDeploymentPermissions';
import { formatDuration, NO_VALUE, shortRef } from '../../lib/format';
import { FITTING_TABLE } from '../../lib/tables';
import {
  ImageReference,
  RelativeTime,
  StatusChip,
  TruncatedText,
} from '../shared';
import { ChangeReferenceLink } from '../ChangeReferenceLink';
import { PermissionedButton } from './PermissionedButton';

/** Records per page of the history. */
const PAGE_SIZE = 5;

const useStyles = makeStyles({
  truncated: {
    display: 'block',
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
  },
  visuallyHidden: {
    position: 'absolute',
    width: 1,
    height: 1,
    overflow: 'hidden',
    clip: 'rect(0 0 0 0)',
    whiteSpace: 'nowrap',
  },
});

/** A record whose revision can be restored: it ran, and it set what runs. */
function isRollbackTarget(record: DeploymentRecord, latestRevision: number) {
  return (
    record.status === 'succeeded' &&
    record.revision !== latestRevision &&
    (record.action === 'deploy' ||
      record.action === 'update' ||
      record.action === 'rollback')
  );
}

function durationOf(record: DeploymentRecord): string {
  if (!record.finishedAt) {
    return NO_VALUE;
  }
  const ms = Date.parse(record.finishedAt) - Date.parse(record.createdAt);
  return formatDuration(ms / 1000);
}

/** Every record of one deployment, newest first, with roll-back buttons. */
export function DeploymentHistoryTable(props: {
  deploymentKey: DeploymentKey;
  latestRevision: number;
  /** Changes when the deployment changed, so the history is read again. */
  version: string;
  rollback: Allowance;
  onRollback: (record: DeploymentRecord) => void;
}) {
  const { deploymentKey, latestRevision, version, rollback, onRollback } =
    props;
  const api = useApi(deploymentsApiRef);
  const classes = useStyles();
  const { environment, namespace, name } = deploymentKey;
  const { value, loading, error } = useAsync(
    () => api.getHistory({ environment, namespace, name }),
    [api, environment, namespace, name, version],
  );

  if (error) {
    return <ResponseErrorPanel error={error} title="History unavailable" />;
  }
  if (!value && loading) {
    return <Progress />;
  }

  // A fixed layout: each column keeps its share of the card, long text is
  // cut with an ellipsis (whole in a tooltip) instead of widening the table.
  const columns: TableColumn<DeploymentRecord>[] = [
    {
      title: 'Revision',
      width: '20%',
      render: record => (
        <>
          <TruncatedText text={`${record.revision} · ${record.action}`} />
          <StatusChip kind="change" status={record.status} />
        </>
      ),
    },
    {
      title: 'Version',
      width: '28%',
      render: record => (
        <ImageReference image={record.image} digest={record.digest} />
      ),
    },
    {
      title: 'By, when',
      width: '16%',
      render: record => (
        <>
          <TruncatedText text={shortRef(record.requester)} />
          <RelativeTime value={record.createdAt} />
          <div>took {durationOf(record)}</div>
        </>
      ),
    },
    {
      title: 'Note',
      width: '24%',
      render: record => (
        <>
          <TruncatedText text={noteOf(record)} lines={2} />
          {record.changeReference && (
            <ChangeReferenceLink value={record.changeReference} />
          )}
        </>
      ),
    },
    {
      title: <span className={classes.visuallyHidden}>Actions</span>,
      width: '12%',
      render: record =>
        isRollbackTarget(record, latestRevision) ? (
          <PermissionedButton
            size="small"
            allowance={rollback}
            deniedReason="You are not allowed to roll back deployments"
            onClick={() => onRollback(record)}
          >
            Roll back to {record.revision}
          </PermissionedButton>
        ) : null,
    },
  ];

  const rows = value ?? [];
  return (
    <Table
      title="History"
      options={{
        // Newest first, as the backend answers; five at a time.
        paging: rows.length > PAGE_SIZE,
        pageSize: PAGE_SIZE,
        pageSizeOptions: [PAGE_SIZE, 10, 20],
        search: false,
        sorting: false,
        ...FITTING_TABLE,
      }}
      columns={columns}
      data={rows}
    />
  );
}

/** What the history says about a record beside its status. */
function noteOf(record: DeploymentRecord): string {
  if (record.error) return record.error;
  if (record.rollbackToRevision !== undefined) {
    return `restored revision ${record.rollbackToRevision}`;
  }
  return '';
}

/** A change reference: a link when it is a URL (a ticket), else text. */
export function ChangeReference(props: { value: string }) {
  const classes = useStyles();
  return /^https?:\/\//.test(props.value) ? (
    <Tooltip title={props.value}>
      <Link to={props.value} className={classes.truncated}>
        {props.value}
      </Link>
    </Tooltip>
  ) : (
    <TruncatedText text={props.value} />
  );
}
