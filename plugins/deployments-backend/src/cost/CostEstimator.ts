import {
  ApprovalRequest,
  CostChange,
  costChange,
  CostEstimate,
  CostedRequest,
  DeploymentKey,
  EnvironmentName,
  estimateMonthlyCost,
  highestMonthly,
  sumAmounts,
  TeamEnvironmentCost,
} from '@deployments-portal/backstage-plugin-deployments-common';
import {
  ApplicationCatalog,
  UNKNOWN_TEAM,
} from '../catalog/ApplicationCatalog';
import { Targets } from '../kubernetes/Targets';
import { DeploymentStore } from '../store/DeploymentStore';

/**
 * Prices deployments at their environment's configured prices
 * (`deployments.environments.<env>.cost`): a request (the validate answer),
 * an approval request against what runs now, the team's other deployments
 * (the cost-budget policy) and what runs per team (the dashboard).
 */
export class CostEstimator {
  static create(options: {
    targets: Targets;
    records: DeploymentStore;
    catalog: ApplicationCatalog;
  }): CostEstimator {
    return new CostEstimator(options);
  }

  private constructor(
    private readonly options: Parameters<typeof CostEstimator.create>[0],
  ) {}

  /** The monthly estimate of a request, when its environment has prices. */
  estimate(
    request: CostedRequest & { environment: EnvironmentName },
  ): CostEstimate | undefined {
    const prices = this.options.targets.environment(request.environment).cost;
    return prices ? estimateMonthlyCost(request, prices) : undefined;
  }

  /**
   * What the owner's other deployments in the environment run now, a month
   * (autoscaled ones at their maximum), when the environment has a budget;
   * the team of each application is read with the plugin's own
   * credentials, so what a caller may not see still counts.
   */
  async teamMonthlyCost(
    key: DeploymentKey,
    owner: string,
  ): Promise<number | undefined> {
    const prices = this.options.targets.environment(key.environment).cost;
    if (!prices?.budget) {
      return undefined;
    }
    const running = (
      await this.options.records.runningRecords({
        environment: key.environment,
      })
    ).filter(r => r.namespace !== key.namespace || r.name !== key.name);
    const teams = await this.options.catalog.teamsOf([
      ...new Set(running.map(r => r.entityRef)),
    ]);
    const same = (team?: string) =>
      team?.toLocaleLowerCase('en-US') === owner.toLocaleLowerCase('en-US');
    return sumAmounts(
      running
        .filter(r => same(teams.get(r.entityRef)))
        .map(r => highestMonthly(estimateMonthlyCost(r.request, prices))),
    );
  }

  /**
   * For a pending deploy or update: its estimate and the difference to the
   * revision that runs now in that environment.
   */
  async approvalCost(
    approval: ApprovalRequest,
  ): Promise<CostChange | undefined> {
    if (approval.status !== 'pending' || !approval.request) {
      return undefined;
    }
    const estimate = this.estimateConfigured(approval.request);
    if (!estimate) {
      return undefined;
    }
    const running = await this.options.records.running(approval);
    return costChange(
      estimate,
      running ? this.estimateConfigured(running.request) : undefined,
    );
  }

  /**
   * What runs now per team and environment, a month, in the environments
   * with prices.
   */
  async byTeam(
    scope: { environment?: EnvironmentName; entityRefs?: string[] },
    teamOf: (entityRef: string) => string,
  ): Promise<TeamEnvironmentCost[]> {
    const priced = this.options.targets.environments.filter(
      e => e.cost && (!scope.environment || e.name === scope.environment),
    );
    if (priced.length === 0) return [];
    const running = await this.options.records.runningRecords(scope);
    const rows = new Map<
      string,
      TeamEnvironmentCost & { low: number[]; high: number[] }
    >();
    for (const record of running) {
      const environment = priced.find(e => e.name === record.environment);
      if (!environment?.cost) continue;
      const estimate = estimateMonthlyCost(record.request, environment.cost);
      const team = teamOf(record.entityRef) || UNKNOWN_TEAM;
      const id = `${team}\u0000${record.environment}`;
      const row = rows.get(id) ?? {
        team,
        environment: record.environment,
        currency: environment.cost.currency,
        deployments: 0,
        monthly: 0,
        monthlyMax: 0,
        low: [],
        high: [],
      };
      row.deployments += 1;
      row.low.push(estimate.monthly);
      row.high.push(highestMonthly(estimate));
      rows.set(id, row);
    }
    const order = priced.map(e => e.name);
    return [...rows.values()]
      .map(({ low, high, ...row }) => ({
        ...row,
        monthly: sumAmounts(low),
        monthlyMax: sumAmounts(high),
      }))
      .sort(
        (a, b) =>
          a.team.localeCompare(b.team) ||
          order.indexOf(a.environment) - order.indexOf(b.environment),
      );
  }

  private estimateConfigured(
    request: CostedRequest & { environment: EnvironmentName },
  ): CostEstimate | undefined {
    try {
      return this.estimate(request);
    } catch {
      // An environment no longer configured has no prices.
      return undefined;
    }
  }
}
