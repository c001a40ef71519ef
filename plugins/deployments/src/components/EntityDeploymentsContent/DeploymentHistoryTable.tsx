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
    {
      title: 'Revision',
      width: '1%',
      render: record => (
        <span style={{ whiteSpace: 'nowrap' }}>
          {record.revision} · {record.action}
        </span>
      ),
    },
    {
      title: 'Status',
      width: '1%',
      render: record => (
        <span style={{ whiteSpace: 'nowrap' }}>
          <DeploymentStatusBadge status={record.status} />
        </span>
      ),
    },
    {
      title: 'Version',
      cellStyle: { minWidth: 160 },
      render: record => (
        <span style={{ wordBreak: 'break-word' }}>
          {record.image}
          {record.digest && (
            <div title={record.digest}>{shortDigest(record.digest)}</div>
          )}
        </span>
      ),
    },
    {
      title: 'By, when',
      render: record => (
        <>
          <span title={record.requester}>{shortRef(record.requester)}</span>
          <div style={{ whiteSpace: 'nowrap' }}>
            {formatDateTime(record.createdAt)}
          </div>
          <div>took {durationOf(record)}</div>
        </>
      ),
    },
    {
      title: 'Note',
      render: record => (
        <>
          <Note text={noteOf(record)} />
          {record.changeReference && (
            <div>
              <ChangeReference value={record.changeReference} />
            </div>
          )}
        </>
      ),
    },
    {
      title: '',
      width: '1%',
      render: record =>
        isRollbackTarget(record, latestRevision) ? (
          <span style={{ whiteSpace: 'nowrap' }}>
            <PermissionedButton
              size="small"
              allowance={rollback}
              deniedReason="You are not allowed to roll back deployments"
              onClick={() => onRollback(record)}
            >
              Roll back to {record.revision}
            </PermissionedButton>
          </span>
        ) : null,
    },
  ];

  return (
    // Scrolls on its own rather than widening the card on a narrow screen.
    <div style={{ overflowX: 'auto', minWidth: 0 }}>
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
    </div>
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
