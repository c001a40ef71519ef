import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  DeploymentRecord,
  deploymentsReadPermission,
  DeploymentsDashboard,
  EnvironmentName,
  INSIGHTS_WINDOWS,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { DashboardFilter } from '@deployments-portal/backstage-plugin-deployments-node';
import {
  ApplicationCatalog,
  teamRefOrThrow,
  UNKNOWN_TEAM,
} from '../catalog/ApplicationCatalog';
import { CostEstimator } from '../cost/CostEstimator';
import { Authorizer } from '../permissions/Authorizer';
import { figuresByTeam } from './deliveryFigures';
import {
  DeliveryCounts,
  DeliveryStore,
  FirstDeploymentTimes,
  RecordScope,
} from '../store/DeliveryStore';
import { DoraStore } from '../store/DoraStore';
import { insightsWindow } from './InsightsView';
import { DeploymentStore } from '../store/DeploymentStore';
import { DriftStore } from '../store/DriftStore';
import { driftView } from './EntityDeploymentsView';

const DASHBOARD_DEPLOYMENTS_LIMIT = 10_000;
const RECENT_FAILURES_LIMIT = 20;

/** The dashboard: deployments, recent failures and delivery figures per team. */
export class DashboardView {
  static create(options: {
    records: DeploymentStore;
    delivery: DeliveryStore;
    catalog: ApplicationCatalog;
    authorizer: Authorizer;
    /** The configured environment names, in order. */
    environments: EnvironmentName[];
    /** What the drift check found, shown with each deployment. */
    drift?: DriftStore;
    /** Prices what runs per team (environments with prices). */
    costs?: CostEstimator;
    /** Figures over a window (`?window=`) come from here. */
    dora?: DoraStore;
    now?: () => Date;
  }): DashboardView {
    return new DashboardView(options);
  }

  private constructor(
    private readonly options: Parameters<typeof DashboardView.create>[0],
  ) {}

  /**
   * The delivery counts and first deployments: over the last `windowDays`
   * days from the DORA store (a windowed read), or over all time.
   */
  private async figures(
    scope: RecordScope,
    windowDays: number | undefined,
  ): Promise<[DeliveryCounts[], FirstDeploymentTimes[]]> {
    const { delivery, dora } = this.options;
    if (windowDays === undefined || !dora) {
      return Promise.all([
        delivery.deliveryCounts(scope),
        delivery.firstDeployments(scope),
      ]);
    }
    if (!(INSIGHTS_WINDOWS as readonly number[]).includes(windowDays)) {
      throw new InputError(
        `window must be one of ${INSIGHTS_WINDOWS.join(', ')} (days)`,
      );
    }
    const window = insightsWindow(
      windowDays,
      this.options.now?.() ?? new Date(),
    );
    const [{ byEntity }, firsts] = await Promise.all([
      dora.counts(scope, window),
      dora.firstDeployments(scope, window.from),
    ]);
    return [
      byEntity.map(count => ({
        entityRef: count.entityRef,
        environment: count.environment,
        deployments: count.deployments,
        succeeded: count.succeeded,
        failed: count.failed,
        deploySeconds: count.deploySeconds,
        recoveries: count.restores,
        recoverySeconds: count.restoreSeconds,
      })),
      firsts,
    ];
  }

  async dashboard(
    filter: DashboardFilter,
    credentials: BackstageCredentials,
  ): Promise<DeploymentsDashboard> {
    const { records, delivery, catalog, authorizer } = this.options;
    await authorizer.authorize(deploymentsReadPermission, credentials, 'read');
    const environment = filter.environment;
    if (
      environment !== undefined &&
      !this.options.environments.includes(environment)
    ) {
      throw new InputError(
        `environment '${environment}' is not configured; configured environments: ${this.options.environments.join(
          ', ',
        )}`,
      );
    }
    const team =
      filter.team === undefined ? undefined : teamRefOrThrow(filter.team);

    const entityRefs = await records.entityRefs({ environment });
    const teams = await catalog.teamsOf(entityRefs, credentials);
    const teamOf = (ref: string) => teams.get(ref) ?? UNKNOWN_TEAM;
    const scope = {
      environment,
      entityRefs: team
        ? entityRefs.filter(
            // Entity refs compare case-insensitively, as in the catalog.
            ref =>
              teamOf(ref).toLocaleLowerCase('en-US') ===
              team.toLocaleLowerCase('en-US'),
          )
        : undefined,
    };
    if (scope.entityRefs?.length === 0) {
      return {
        environments: this.options.environments,
        deployments: [],
        recentFailures: [],
        figures: [],
        firstDeployments: [],
      };
    }

    const [latest, failures, [counts, firsts], drifts, costs] =
      await Promise.all([
        records.listLatest({ ...scope, limit: DASHBOARD_DEPLOYMENTS_LIMIT }),
        delivery.recentFailures(scope, RECENT_FAILURES_LIMIT),
        this.figures(scope, filter.windowDays),
        this.options.drift?.list({ entityRefs: scope.entityRefs }) ?? [],
        this.options.costs?.byTeam(scope, teamOf) ?? [],
      ]);
    const driftOf = new Map(
      drifts.map(d => [`${d.environment}/${d.namespace}/${d.name}`, d]),
    );
    const withTeam = (record: DeploymentRecord) => ({
      ...record,
      team: teamOf(record.entityRef),
    });
    return {
      environments: this.options.environments,
      deployments: latest.map(record => {
        const drift = driftOf.get(
          `${record.environment}/${record.namespace}/${record.name}`,
        );
        return {
          ...withTeam(record),
          ...(drift ? { drift: driftView(drift) } : {}),
        };
      }),
      recentFailures: failures.map(withTeam),
      figures: figuresByTeam(counts, teamOf, this.options.environments),
      firstDeployments: firsts.map(first => ({
        entityRef: first.entityRef,
        team: teamOf(first.entityRef),
        firstRequestedAt: first.firstRequestedAt,
        ...(first.firstSucceededAt
          ? {
              firstSucceededAt: first.firstSucceededAt,
              seconds:
                (Date.parse(first.firstSucceededAt) -
                  Date.parse(first.firstRequestedAt)) /
                1000,
            }
          : {}),
      })),
      ...(costs.length > 0 ? { costs } : {}),
    };
  }
}
