import { useEffect, useState } from 'react';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { ConfirmActionDialog } from '../ConfirmActionDialog';
import { RequestedAction } from './useDeploymentAction';

const MAX_REPLICAS = 100;

function isValidReplicas(value: string): boolean {
  const replicas = Number(value);
  return (
    value.trim() !== '' &&
    Number.isInteger(replicas) &&
    replicas >= 0 &&
    replicas <= MAX_REPLICAS
  );
}

/** The confirmation for one change to a running deployment. */
export function DeploymentActionDialog(props: {
  action: RequestedAction | undefined;
  busy: boolean;
  onConfirm: (replicas?: number) => void;
  onCancel: () => void;
}) {
  const { action, busy, onConfirm, onCancel } = props;
  const [replicas, setReplicas] = useState('');
  const currentReplicas =
    action?.kind === 'scale' ? action.currentReplicas : undefined;
  useEffect(() => {
    setReplicas(currentReplicas === undefined ? '' : String(currentReplicas));
  }, [currentReplicas]);

  if (!action) {
    return null;
  }
  const { name, environment, namespace } = action.key;
  const common = { open: true, busy, onCancel };

  switch (action.kind) {
    case 'restart':
      return (
        <ConfirmActionDialog
          {...common}
          title={`Restart ${name} in ${environment}?`}
          confirmLabel="Restart"
          onConfirm={() => onConfirm()}
        >
          <Typography>
            Every pod is replaced, one at a time (like{' '}
            <code>kubectl rollout restart</code>). With more than one replica
            the service keeps answering.
          </Typography>
        </ConfirmActionDialog>
      );
    case 'scale': {
      const valid = isValidReplicas(replicas);
      return (
        <ConfirmActionDialog
          {...common}
          title={`Scale ${name} in ${environment}`}
          confirmLabel={valid ? `Scale to ${Number(replicas)}` : 'Scale'}
          confirmDisabled={
            !valid || Number(replicas) === action.currentReplicas
          }
          onConfirm={() => onConfirm(Number(replicas))}
        >
          <Typography gutterBottom>
            Runs {action.currentReplicas} replica
            {action.currentReplicas === 1 ? '' : 's'} now. The change is
            recorded in the history and checked by the same policies as a
            deploy.
          </Typography>
          <TextField
            id="scale-replicas"
            label="Replicas"
            type="number"
            value={replicas}
            onChange={e => setReplicas(e.target.value)}
            inputProps={{ min: 0, max: MAX_REPLICAS, step: 1 }}
            error={!valid}
            helperText={
              valid
                ? undefined
                : `Enter a whole number from 0 to ${MAX_REPLICAS}`
            }
            fullWidth
          />
        </ConfirmActionDialog>
      );
    }
    case 'rollback':
      if (action.reapply) {
        return (
          <ConfirmActionDialog
            {...common}
            title={`Re-apply revision ${action.revision} of ${name} in ${environment}?`}
            confirmLabel="Re-apply"
            onConfirm={() => onConfirm()}
          >
            <Typography>
              The objects of revision {action.revision} are applied again,
              undoing what was changed outside the portal, and the portal waits
              until the rollout is ready. It is recorded as a rollback to the
              same revision (approved first where the environment requires it).
            </Typography>
          </ConfirmActionDialog>
        );
      }
      return (
        <ConfirmActionDialog
          {...common}
          title={
            action.revision === undefined
              ? `Roll back ${name} in ${environment}?`
              : `Roll back ${name} in ${environment} to revision ${action.revision}?`
          }
          confirmLabel="Roll back"
          onConfirm={() => onConfirm()}
        >
          <Typography>
            {action.revision === undefined
              ? 'The previous good revision is deployed again'
              : `Revision ${action.revision}${
                  action.image ? ` (${action.image})` : ''
                } is deployed again`}
            , and the portal waits until its rollout is ready.
          </Typography>
        </ConfirmActionDialog>
      );
    default:
      return (
        <ConfirmActionDialog
          {...common}
          destructive
          title={`Delete ${name} from ${environment}?`}
          confirmLabel="Delete"
          onConfirm={() => onConfirm()}
        >
          <Typography>
            Removes the deployment and everything it created from namespace{' '}
            <code>{namespace}</code>; the service stops answering in{' '}
            {environment}. The history stays. This cannot be undone.
          </Typography>
        </ConfirmActionDialog>
      );
  }
}
