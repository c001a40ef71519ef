import { parseEntityRef } from '@backstage/catalog-model';
import {
  CostPrices,
  estimateMonthlyCost,
  formatMoney,
  formatMonthly,
  highestMonthly,
  sumAmounts,
} from '../cost/estimateCost';
import { Policy } from './types';

/**
 * `cost-budget`: the monthly budget of a team in an environment
 * (`deployments.environments.<env>.cost.budget`). The backend passes the
 * environment's prices and budget as the policy's parameters and, as
 * `cluster.teamMonthlyCost`, what the team's other deployments there run
 * now; the change is priced at its most replicas (autoscaling's maximum).
 * Without a budget or prices it finds nothing.
 *
 * @public
 */
export const costBudgetPolicy: Policy = {
  id: 'cost-budget',
  title: "Within the team's monthly budget of the environment",
  description:
    "The estimated monthly cost of the team's deployments in the environment, with this change, stays within the environment's budget per team.",
  defaultSeverity: 'error',
  evaluate({ request, context }, parameters) {
    const budget = parameters.budget;
    const prices = pricesOf(parameters);
    if (typeof budget !== 'number' || !prices) {
      return [];
    }
    const estimate = estimateMonthlyCost(request, prices);
    const own = highestMonthly(estimate);
    const others = context.cluster.teamMonthlyCost ?? 0;
    const total = sumAmounts([own, others]);
    if (Math.round(total * 100) <= Math.round(budget * 100)) {
      return [];
    }
    const money = (amount: number) => formatMoney(amount, prices.currency);
    const team = parseEntityRef(context.owner, { defaultKind: 'group' }).name;
    const env = request.environment;
    const breakdown =
      others > 0
        ? ` (this deployment ${formatMonthly(
            estimate,
          )}, the team's other deployments in ${env} ${money(others)}/month)`
        : '';
    return [
      {
        path: estimate.monthlyMax === undefined ? 'replicas' : 'autoscaling',
        message: `estimated ${money(
          total,
        )}/month exceeds the ${env} budget of ${money(
          budget,
        )}/month for team ${team}${breakdown}`,
        hint: `lower replicas/CPU/memory or ask the platform team to raise deployments.environments.${env}.cost.budget`,
      },
    ];
  },
};

function pricesOf(parameters: Record<string, unknown>): CostPrices | undefined {
  const { currency, cpuHour, gibHour, basis } = parameters;
  if (
    typeof currency !== 'string' ||
    typeof cpuHour !== 'number' ||
    typeof gibHour !== 'number' ||
    (basis !== 'requests' && basis !== 'limits')
  ) {
    return undefined;
  }
  return { currency, cpuHour, gibHour, basis };
}
