import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  DeliveryInsights,
  DeliveryTargets,
  deploymentsReadPermission,
  EnvironmentName,
  INSIGHTS_WINDOWS,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { InsightsFilter } from '@deployments-portal/backstage-plugin-deployments-node';
import {
  ApplicationCatalog,
  teamRefOrThrow,
  UNKNOWN_TEAM,
} from '../catalog/ApplicationCatalog';
import { Authorizer } from '../permissions/Authorizer';
import { DeploymentStore } from '../store/DeploymentStore';
import { DoraStore, DoraWindow } from '../store/DoraStore';
import { doraByTeam, doraFigures, groupFigures } from './doraFigures';

const DAY_SECONDS = 86_400;

/** The window ending now: whole UTC days, in steps of a day (a week for 90). */
export function insightsWindow(
  days: number,
  now: Date,
): DoraWindow & { buckets: number } {
  const today = Date.UTC(
    now.getUTCFullYear(),
    now.getUTCMonth(),
    now.getUTCDate(),
  );
  const bucketDays = days > 30 ? 7 : 1;
  return {
    from: new Date(today - (days - 1) * DAY_SECONDS * 1000),
    until: now,
    bucketSeconds: bucketDays * DAY_SECONDS,
    buckets: Math.ceil(days / bucketDays),
  };
}

/**
 * The delivery insights: the DORA figures of the dashboard and an
 * application's card over 7, 30 or 90 days, with the ADR's targets.
 */
export class InsightsView {
  static create(options: {
    records: DeploymentStore;
    dora: DoraStore;
    catalog: ApplicationCatalog;
    authorizer: Authorizer;
    /** The configured environment names, in order (the last is production). */
    environments: EnvironmentName[];
    targets: DeliveryTargets;
    now?: () => Date;
  }): InsightsView {
    return new InsightsView(options);
  }

  private constructor(
    private readonly options: Parameters<typeof InsightsView.create>[0],
  ) {}

  async insights(
    filter: InsightsFilter,
    credentials: BackstageCredentials,
  ): Promise<DeliveryInsights> {
    const { records, dora, catalog, authorizer, environments } = this.options;
    await authorizer.authorize(deploymentsReadPermission, credentials, 'read');
    const days = filter.windowDays ?? 30;
    if (!(INSIGHTS_WINDOWS as readonly number[]).includes(days)) {
      throw new InputError(
        `window must be one of ${INSIGHTS_WINDOWS.join(', ')} (days)`,
      );
    }
    const environment = filter.environment;
    if (environment !== undefined && !environments.includes(environment)) {
      throw new InputError(
        `environment '${environment}' is not configured; configured environments: ${environments.join(
          ', ',
        )}`,
      );
    }
    const team =
      filter.team === undefined ? undefined : teamRefOrThrow(filter.team);

    // Which applications a team has: only asked of the catalog when the
    // filter names a team.
    let entityRefs: string[] | undefined = filter.entityRef
      ? [filter.entityRef]
      : undefined;
    if (team && !entityRefs) {
      const known = await records.entityRefs({ environment });
      const owners = await catalog.teamsOf(known, credentials);
      const lower = team.toLocaleLowerCase('en-US');
      entityRefs = known.filter(
        ref =>
          (owners.get(ref) ?? UNKNOWN_TEAM).toLocaleLowerCase('en-US') ===
          lower,
      );
    }
    const scope = { environment, entityRefs };

    const now = this.options.now?.() ?? new Date();
    const window = insightsWindow(days, now);
    const empty = scope.entityRefs?.length === 0;
    const [{ byEntity, byBucket }, firsts] = empty
      ? [{ byEntity: [], byBucket: [] }, []]
      : await Promise.all([
          dora.counts(scope, window),
          dora.firstDeployments(scope, window.from),
        ]);
    // The teams of the applications with changes in the window.
    const teams = await catalog.teamsOf(
      [...new Set(byEntity.map(c => c.entityRef))],
      credentials,
    );
    const teamOf = (ref: string) => teams.get(ref) ?? UNKNOWN_TEAM;

    const headline = environment ?? environments[environments.length - 1];
    const bucketDays = window.bucketSeconds / DAY_SECONDS;
    const present = new Set(byBucket.map(b => b.environment));
    const series = environments
      .filter(name => present.has(name))
      .flatMap(name =>
        Array.from({ length: window.buckets }, (_, bucket) => {
          const start = new Date(
            window.from.getTime() + bucket * window.bucketSeconds * 1000,
          );
          const counts = byBucket.filter(
            b => b.environment === name && b.bucket === bucket,
          );
          return {
            start: start.toISOString(),
            environment: name,
            ...doraFigures(counts, Math.min(bucketDays, days)),
          };
        }),
      )
      .sort((a, b) => a.start.localeCompare(b.start));

    const firstSeconds = firsts.flatMap(first =>
      first.firstSucceededAt
        ? [
            (Date.parse(first.firstSucceededAt) -
              Date.parse(first.firstRequestedAt)) /
              1000,
          ]
        : [],
    );
    const order = (name: EnvironmentName) => environments.indexOf(name);
    return {
      window: {
        days: days as DeliveryInsights['window']['days'],
        from: window.from.toISOString(),
        until: window.until.toISOString(),
        bucketDays,
      },
      targets: this.options.targets,
      environments,
      overall: doraFigures(
        byEntity.filter(c => c.environment === headline),
        days,
      ),
      byEnvironment: groupFigures(
        byEntity,
        c => ({ environment: c.environment }),
        days,
      ).sort((a, b) => order(a.environment) - order(b.environment)),
      byTeam: doraByTeam(byEntity, teamOf, environments, days),
      series,
      firstDeployments: {
        applications: firsts.length,
        withinTarget: firstSeconds.filter(
          s => s <= this.options.targets.firstDeploySeconds,
        ).length,
        ...(firstSeconds.length
          ? {
              meanSeconds:
                firstSeconds.reduce((a, b) => a + b, 0) / firstSeconds.length,
            }
          : {}),
      },
    };
  }
}
