import {
  CostChange,
  CostEstimate as Estimate,
  formatCostChange,
  formatMoney,
  formatMonthly,
} from '@deployments-portal/backstage-plugin-deployments-common';
import Typography from '@material-ui/core/Typography';

/**
 * The monthly estimate of a deployment as the deploy form shows it next to
 * the policy check, e.g. `Estimated cost: €24.82/month (requests)`.
 */
export function CostEstimate(props: { estimate?: Estimate }) {
  const { estimate } = props;
  if (!estimate) {
    return null;
  }
  return (
    <Typography variant="body2" data-testid="cost-estimate" gutterBottom>
      Estimated cost: <strong>{formatMonthly(estimate)}</strong> —{' '}
      {formatMoney(estimate.perReplica, estimate.currency)} per replica a month,
      priced on {estimate.basis}
    </Typography>
  );
}

/**
 * How an approval request changes the monthly estimate: `+€12.40/month`
 * (from €12.41 to €24.81), or `new: €24.81/month` when nothing runs.
 */
export function CostChangeText(props: { change?: CostChange }) {
  const { change } = props;
  if (!change) {
    return null;
  }
  return (
    <span data-testid="cost-change">
      <strong>{formatCostChange(change)}</strong>
      {change.running &&
        ` (from ${formatMonthly(change.running)} to ${formatMonthly(
          change.estimate,
        )})`}
    </span>
  );
}
