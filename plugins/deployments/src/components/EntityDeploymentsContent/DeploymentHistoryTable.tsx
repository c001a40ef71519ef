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
import { deploymentsApiRef } from '../../api';
import { Allowance } from '../../hooks/useDeploymentPermissions';
import {
  formatDateTime,
  formatDuration,
  NO_VALUE,
  shortDigest,
  shortRef,
} from '../../lib/format';
import { DeploymentStatusBadge } from '../StatusBadges';
import { PermissionedButton } from './PermissionedButton';

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

  const columns: TableColumn<DeploymentRecord>[] = [
    { title: 'Revision', field: 'revision', width: '5%' },
    { title: 'Action', field: 'action' },
    {
      title: 'Status',
      render: record => <DeploymentStatusBadge status={record.status} />,
    },
    {
      title: 'Image',
      render: record => (
        <>
          {record.image}
          {record.digest && (
            <div title={record.digest}>{shortDigest(record.digest)}</div>
          )}
        </>
      ),
    },
    {
      title: 'By',
      render: record => (
        <span title={record.requester}>{shortRef(record.requester)}</span>
      ),
    },
    { title: 'When', render: record => formatDateTime(record.createdAt) },
    { title: 'Took', render: durationOf },
    {
      title: 'Change',
      render: record =>
        record.changeReference ? (
          <ChangeReference value={record.changeReference} />
        ) : (
          NO_VALUE
        ),
    },
    {
      title: 'Note',
      cellStyle: { minWidth: 280 },
      render: record => <Note text={noteOf(record)} />,
    },
    {
      title: '',
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

  return (
    <Table
      title="History"
      options={{
        paging: (value?.length ?? 0) > 10,
        pageSize: 10,
        search: false,
        sorting: false,
        padding: 'dense',
      }}
      columns={columns}
      data={value ?? []}
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

/** Longest note shown in full; longer ones are cut, the whole text in a tooltip. */
const NOTE_LENGTH = 160;

function Note(props: { text: string }) {
  if (props.text.length <= NOTE_LENGTH) return <>{props.text}</>;
  return (
    <span title={props.text}>{`${props.text.slice(0, NOTE_LENGTH - 1)}…`}</span>
  );
}

/** A change reference: a link when it is a URL (a ticket), else text. */
export function ChangeReference(props: { value: string }) {
  return /^https?:\/\//.test(props.value) ? (
    <Link to={props.value}>{props.value}</Link>
  ) : (
    <>{props.value}</>
  );
}
