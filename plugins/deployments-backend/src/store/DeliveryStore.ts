import { DatabaseService } from '@backstage/backend-plugin-api';
import {
  DeploymentRecord,
  EnvironmentName,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { Knex } from 'knex';
import { migratedClient } from './migrate';
import {
  RECORD_COLUMNS,
  RecordRow,
  RECORDS_TABLE,
  iso,
  sqlList,
  toRecord,
} from './recordRows';

const TABLE = RECORDS_TABLE;

/**
 * Which records a dashboard query looks at: one environment, and/or only
 * these applications (entity refs). Absent means all.
 */
export type RecordScope = {
  environment?: EnvironmentName;
  entityRefs?: string[];
};

/**
 * Delivery counts of one application in one environment. Sums rather than
 * means, so that they can be added up per team and divided once.
 */
export type DeliveryCounts = {
  entityRef: string;
  environment: EnvironmentName;
  /** Finished records of action deploy, update or rollback. */
  deployments: number;
  succeeded: number;
  /** Failed or rolled back. */
  failed: number;
  /** Sum of finishedAt - createdAt over the succeeded ones, in seconds. */
  deploySeconds: number;
  /** Failure streaks that a later succeeded record ended. */
  recoveries: number;
  /** Sum of the time from each streak's first failure to its recovery, in seconds. */
  recoverySeconds: number;
};

/** When an application's first deployment was requested, and first succeeded. */
export type FirstDeploymentTimes = {
  entityRef: string;
  firstRequestedAt: string;
  firstSucceededAt?: string;
};

/** Actions that count as a deployment in the delivery figures. */
const DELIVERY_ACTIONS = ['deploy', 'update', 'rollback'];
const FAILED_STATUSES = ['failed', 'rolled-back'];

/**
 * The dashboard's figures, computed in SQL over the records on SQLite and
 * PostgreSQL: recent failures, delivery counts and first deployments.
 */
export class DeliveryStore {
  static async create(database: DatabaseService): Promise<DeliveryStore> {
    return new DeliveryStore(await migratedClient(database));
  }

  private constructor(private readonly knex: Knex) {}

  /** The most recent failed or rolled-back records, newest first. */
  async recentFailures(
    scope: RecordScope,
    limit = 20,
  ): Promise<DeploymentRecord[]> {
    const rows = await this.knex<RecordRow>(TABLE)
      .modify(query => this.scoped(query, scope))
      .select(RECORD_COLUMNS)
      .whereIn('status', FAILED_STATUSES)
      .orderBy([
        { column: 'finished_at', order: 'desc' },
        { column: 'created_at', order: 'desc' },
      ])
      .limit(limit);
    return rows.map(toRecord);
  }

  /**
   * Delivery counts per application and environment: every pair with a
   * record appears, also when none of its records counts as a deployment.
   *
   * A deployment is a finished record of action deploy, update or rollback;
   * it failed when it ended `failed` or `rolled-back`. A recovery is a run of
   * such failures of one deployment (environment, namespace, name) followed
   * by a succeeded deployment of it; its time runs from the first failure's
   * finishedAt to the success's finishedAt. Failures not (yet) followed by a
   * success do not count as recoveries.
   */
  async deliveryCounts(scope: RecordScope): Promise<DeliveryCounts[]> {
    const actions = sqlList(DELIVERY_ACTIONS);
    const failedStatuses = sqlList(FAILED_STATUSES);
    const counted = `action IN (${actions}) AND finished_at IS NOT NULL`;
    const counts: Array<Record<string, unknown>> = await this.knex(TABLE)
      .modify(query => this.scoped(query, scope))
      .select('entity_ref', 'environment')
      .select(
        this.knex.raw(
          `SUM(CASE WHEN ${counted} THEN 1 ELSE 0 END) AS deployments`,
        ),
        this.knex.raw(
          `SUM(CASE WHEN ${counted} AND status = 'succeeded' THEN 1 ELSE 0 END) AS succeeded`,
        ),
        this.knex.raw(
          `SUM(CASE WHEN ${counted} AND status IN (${failedStatuses}) THEN 1 ELSE 0 END) AS failed`,
        ),
        this.knex.raw(
          `SUM(CASE WHEN ${counted} AND status = 'succeeded' THEN ${this.secondsBetween(
            'created_at',
            'finished_at',
          )} ELSE 0 END) AS deploy_seconds`,
        ),
      )
      .groupBy('entity_ref', 'environment');

    // Each failure with the revision of the next success of its deployment
    // (the unique revision index answers the subquery), then per success the
    // earliest failure it ended.
    const nextSuccess = this.knex(`${TABLE} as s`)
      .min('s.revision')
      .whereRaw(
        's.environment = f.environment AND s.namespace = f.namespace AND s.name = f.name AND s.revision > f.revision',
      )
      .where('s.status', 'succeeded')
      .whereIn('s.action', DELIVERY_ACTIONS)
      .whereNotNull('s.finished_at');
    const failures = this.knex(`${TABLE} as f`)
      .modify(query => this.scoped(query, scope, 'f'))
      .whereIn('f.action', DELIVERY_ACTIONS)
      .whereIn('f.status', FAILED_STATUSES)
      .whereNotNull('f.finished_at')
      .select('f.entity_ref', 'f.environment', 'f.namespace', 'f.name', {
        failed_at: 'f.finished_at',
      })
      .select(nextSuccess.as('recovered_revision'));
    const incidents = this.knex
      .from(failures.as('failures'))
      .whereNotNull('recovered_revision')
      .select(
        'entity_ref',
        'environment',
        'namespace',
        'name',
        'recovered_revision',
      )
      .min({ started_at: 'failed_at' })
      .groupBy(
        'entity_ref',
        'environment',
        'namespace',
        'name',
        'recovered_revision',
      );
    const recoveries: Array<Record<string, unknown>> = await this.knex
      .from(incidents.as('i'))
      .join(`${TABLE} as r`, join =>
        join
          .on('r.environment', '=', 'i.environment')
          .andOn('r.namespace', '=', 'i.namespace')
          .andOn('r.name', '=', 'i.name')
          .andOn('r.revision', '=', 'i.recovered_revision'),
      )
      .select('i.entity_ref', 'i.environment')
      .select(
        this.knex.raw('COUNT(*) AS recoveries'),
        this.knex.raw(
          `SUM(${this.secondsBetween(
            'i.started_at',
            'r.finished_at',
          )}) AS recovery_seconds`,
        ),
      )
      .groupBy('i.entity_ref', 'i.environment');

    const key = (row: Record<string, unknown>) =>
      `${row.entity_ref}\u0000${row.environment}`;
    const recoveriesByKey = new Map(recoveries.map(row => [key(row), row]));
    return counts.map(row => {
      const recovery = recoveriesByKey.get(key(row));
      return {
        entityRef: String(row.entity_ref),
        environment: row.environment as EnvironmentName,
        deployments: Number(row.deployments ?? 0),
        succeeded: Number(row.succeeded ?? 0),
        failed: Number(row.failed ?? 0),
        deploySeconds: Number(row.deploy_seconds ?? 0),
        recoveries: Number(recovery?.recoveries ?? 0),
        recoverySeconds: Number(recovery?.recovery_seconds ?? 0),
      };
    });
  }

  /**
   * Per application: when its first record was requested and when its first
   * deployment (deploy, update or rollback) succeeded, in any environment of
   * the scope.
   */
  async firstDeployments(scope: RecordScope): Promise<FirstDeploymentTimes[]> {
    const rows: Array<{
      entity_ref: string;
      first_requested_at: Date | string | number;
      first_succeeded_at: Date | string | number | null;
    }> = await this.knex(TABLE)
      .modify(query => this.scoped(query, scope))
      .select('entity_ref')
      .min({ first_requested_at: 'created_at' })
      .select(
        this.knex.raw(
          `MIN(CASE WHEN status = 'succeeded' AND action IN (${sqlList(
            DELIVERY_ACTIONS,
          )}) THEN finished_at END) AS first_succeeded_at`,
        ),
      )
      .groupBy('entity_ref')
      .orderBy('entity_ref');
    return rows.map(row => ({
      entityRef: row.entity_ref,
      firstRequestedAt: iso(row.first_requested_at)!,
      firstSucceededAt: iso(row.first_succeeded_at),
    }));
  }

  private scoped(
    query: Knex.QueryBuilder,
    scope: RecordScope,
    alias?: string,
  ): void {
    const column = (name: string) => (alias ? `${alias}.${name}` : name);
    if (scope.environment) {
      query.where(column('environment'), scope.environment);
    }
    if (scope.entityRefs) {
      query.whereIn(column('entity_ref'), scope.entityRefs);
    }
  }

  /** SQL for the seconds between two timestamp columns of this database. */
  private secondsBetween(from: string, to: string): string {
    const client = String(this.knex.client.config.client);
    if (/sqlite/.test(client)) {
      // Knex stores dates in SQLite as milliseconds since the epoch.
      return `((${to} - ${from}) / 1000.0)`;
    }
    if (/mysql/.test(client)) {
      return `(TIMESTAMPDIFF(MICROSECOND, ${from}, ${to}) / 1000000.0)`;
    }
    return `EXTRACT(EPOCH FROM (${to} - ${from}))`;
  }
}
