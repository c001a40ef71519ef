import { useCallback, useEffect, useRef, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import {
  DeploymentChange,
  DeploymentKey,
  DeploymentOutcome,
  DeploymentRecord,
  isFinalStatus,
  isPendingApproval,
  PendingApproval,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { deploymentsApiRef } from '../../api';
import { PortalLinks, usePortalLinks } from '../../hooks/usePortalLinks';
import { errorMessage } from '../../lib/format';

/** A change to a running deployment, waiting for confirmation. */
export type RequestedAction =
  | { kind: 'restart'; key: DeploymentKey }
  | { kind: 'scale'; key: DeploymentKey; currentReplicas: number }
  | {
      kind: 'rollback';
      key: DeploymentKey;
      /** Absent: the previous good revision. */
      revision?: number;
      /** The image of the revision rolled back to, when known. */
      image?: string;
      /** The running revision again, undoing changes made outside the portal (drift). */
      reapply?: boolean;
    }
  | { kind: 'delete'; key: DeploymentKey };

/** What happened, for the alert above the deployment. */
export type ActionOutcome = {
  severity: 'success' | 'warning' | 'error' | 'info';
  message: string;
  /** Where to follow up, e.g. the approval request. */
  link?: { to: string; label: string };
};

const DONE: Record<RequestedAction['kind'], string> = {
  restart: 'Restarted',
  scale: 'Scaled',
  rollback: 'Rolled back',
  delete: 'Deleted',
};

const FAILED: Record<RequestedAction['kind'], string> = {
  restart: 'restart',
  scale: 'scale',
  rollback: 'roll back',
  delete: 'delete',
};

const CHANGE: Record<RequestedAction['kind'], string> = {
  restart: 'restart',
  scale: 'scaling',
  rollback: 'rollback',
  delete: 'deletion',
};

/** How often a change the user started is looked at while it runs. */
const FOLLOW_INTERVAL_MS = 1500;

function describeRecord(
  action: RequestedAction,
  record: DeploymentRecord,
): ActionOutcome {
  const { name, environment } = action.key;
  if (record.status === 'cancelled') {
    return {
      severity: 'info',
      message: `The ${
        CHANGE[action.kind]
      } of ${name} in ${environment} (revision ${
        record.revision
      }) was cancelled before it ran.`,
    };
  }
  if (!isFinalStatus(record.status)) {
    const position = (record as DeploymentChange).queuePosition;
    return {
      severity: 'info',
      message: `${
        record.status === 'queued'
          ? `Queued the ${
              CHANGE[action.kind]
            } of ${name} in ${environment} (revision ${record.revision})${
              position
                ? `, behind ${position} earlier change${
                    position === 1 ? '' : 's'
                  }`
                : ''
            }`
          : `The ${
              CHANGE[action.kind]
            } of ${name} in ${environment} (revision ${record.revision}) is ${
              record.status
            }`
      } — this page follows it.`,
    };
  }
  if (record.status === 'failed' || record.status === 'rolled-back') {
    return {
      severity: 'warning',
      message: `${DONE[action.kind]} ${name} in ${environment}, but revision ${
        record.revision
      } ${record.status === 'failed' ? 'failed' : 'was rolled back'}${
        record.error ? `: ${record.error}` : ''
      }`,
    };
  }
  return {
    severity: 'success',
    message: `${DONE[action.kind]} ${name} in ${environment} (revision ${
      record.revision
    }, ${record.status})`,
  };
}

function describePending(
  action: RequestedAction,
  pending: PendingApproval,
  links: PortalLinks,
): ActionOutcome {
  const { name, environment } = action.key;
  return {
    severity: 'info',
    message: `Sent for approval — the ${
      CHANGE[action.kind]
    } of ${name} in ${environment} runs once an approver other than you approves it.`,
    link: {
      to: links.approval(pending.approval.id),
      label: 'View the approval request',
    },
  };
}

function describeOutcome(
  action: RequestedAction,
  outcome: DeploymentOutcome,
  links: PortalLinks,
): ActionOutcome {
  return isPendingApproval(outcome)
    ? describePending(action, outcome, links)
    : describeRecord(action, outcome);
}

/**
 * Asks for confirmation of a change, queues it, follows it until it ends
 * (the alert says where it is, then how it ended, with the backend's own
 * message), and calls `onChanged` after each step so the page shows what
 * the cluster and the history say now. `cancelChange` withdraws a queued one.
 */
export function useDeploymentAction(onChanged: () => void) {
  const api = useApi(deploymentsApiRef);
  const links = usePortalLinks();
  const [requested, setRequested] = useState<RequestedAction>();
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<ActionOutcome>();
  const [following, setFollowing] = useState<{
    action: RequestedAction;
    id: string;
  }>();
  const onChangedRef = useRef(onChanged);
  onChangedRef.current = onChanged;

  useEffect(() => {
    if (!following) return undefined;
    let stopped = false;
    const timer = setInterval(async () => {
      try {
        const change = await api.getChange(following.id);
        if (stopped) return;
        setOutcome(describeRecord(following.action, change));
        onChangedRef.current();
        if (isFinalStatus(change.status)) setFollowing(undefined);
      } catch (error) {
        if (stopped) return;
        setOutcome({
          severity: 'warning',
          message: `Could not follow the change: ${errorMessage(error)}`,
        });
        setFollowing(undefined);
      }
    }, FOLLOW_INTERVAL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [api, following]);

  const confirm = useCallback(
    async (replicas?: number) => {
      if (!requested) {
        return;
      }
      setBusy(true);
      try {
        let record: DeploymentOutcome;
        switch (requested.kind) {
          case 'restart':
            record = await api.restart(requested.key);
            break;
          case 'scale':
            record = await api.scale(
              requested.key,
              replicas ?? requested.currentReplicas,
            );
            break;
          case 'rollback':
            record = await api.rollback(requested.key, requested.revision);
            break;
          default:
            record = await api.delete(requested.key);
        }
        setOutcome(describeOutcome(requested, record, links));
        if (!isPendingApproval(record) && !isFinalStatus(record.status)) {
          setFollowing({ action: requested, id: record.id });
        }
      } catch (error) {
        const { name, environment } = requested.key;
        setOutcome({
          severity: 'error',
          message: `Could not ${
            FAILED[requested.kind]
          } ${name} in ${environment}: ${errorMessage(error)}`,
        });
      } finally {
        setBusy(false);
        setRequested(undefined);
        onChanged();
      }
    },
    [api, requested, onChanged, links],
  );

  const cancelChange = useCallback(
    async (record: DeploymentRecord) => {
      try {
        await api.cancelChange(record.id);
        setOutcome({
          severity: 'info',
          message: `Cancelled revision ${record.revision} of ${record.name} in ${record.environment} before it ran.`,
        });
      } catch (error) {
        setOutcome({
          severity: 'error',
          message: `Could not cancel revision ${
            record.revision
          }: ${errorMessage(error)}`,
        });
      } finally {
        onChanged();
      }
    },
    [api, onChanged],
  );

  return {
    requested,
    request: (action: RequestedAction) => {
      setOutcome(undefined);
      setRequested(action);
    },
    cancel: () => setRequested(undefined),
    confirm,
    cancelChange,
    busy,
    outcome,
    dismissOutcome: () => setOutcome(undefined),
  };
}
