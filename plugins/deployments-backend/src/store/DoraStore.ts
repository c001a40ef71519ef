import { DatabaseService } from '@backstage/backend-plugin-api';
import { EnvironmentName } from '@deployments-portal/backstage-plugin-deployments-common';
import { Knex } from 'knex';
import { FirstDeploymentTimes, RecordScope } from './DeliveryStore';
import { migratedClient } from './migrate';
import { ARRIVALS_TABLE } from './arrivals';
import { iso, RECORDS_TABLE, sqlList } from './recordRows';

const TABLE = RECORDS_TABLE;

/** Changes that count as a deployment. */
const DELIVERY_ACTIONS = sqlList(['deploy', 'update', 'rollback']);
const FAILED_STATUSES = sqlList(['failed', 'rolled-back']);

/** The time window of the figures and the width of one step of the series. */
export type DoraWindow = {
  from: Date;
  until: Date;
  bucketSeconds: number;
};

/**
 * Sums (never means) of one group's changes in the window, so that groups
 * can be added up per team or environment and divided once.
 */
export type DoraCounts = {
  environment: EnvironmentName;
  deployments: number;
  succeeded: number;
  failed: number;
  /** Sum of request-to-Ready seconds of the succeeded ones. */
  deploySeconds: number;
  /** Builds that arrived in the environment in the window. */
  leadTimeSamples: number;
  leadTimeSeconds: number;
  /** Failed changes in the window that were restored. */
  restores: number;
  restoreSeconds: number;
};

/** Counts of one application in one environment. */
export type EntityDoraCounts = DoraCounts & { entityRef: string };

/** Counts of one step of the series in one environment. */
export type BucketDoraCounts = DoraCounts & {
  /** The step's index from the window's start (0 is the oldest). */
  bucket: number;
};

type Grouping = 'entity' | 'bucket';
type Row = Record<string, unknown>;

/**
 * The DORA figures of the delivery insights, computed in SQL over the
 * change records on SQLite and PostgreSQL: per application and environment,
 * and per environment and step of the window's series.
 *
 * Each query reads a derived table of (entity_ref, environment, at, values),
 * where `at` places the row in the window; the two groupings then only
 * differ in their GROUP BY.
 */
export class DoraStore {
  static async create(database: DatabaseService): Promise<DoraStore> {
    return new DoraStore(await migratedClient(database));
  }

  private constructor(private readonly knex: Knex) {}

  /**
   * The counts of the window per application and environment, and per
   * environment and step of the series: on PostgreSQL one pass per measure
   * (GROUPING SETS), elsewhere two.
   */
  async counts(
    scope: RecordScope,
    window: DoraWindow,
  ): Promise<{ byEntity: EntityDoraCounts[]; byBucket: BucketDoraCounts[] }> {
    const [changes, leadTimes, restores] = await Promise.all([
      this.aggregate(window, this.changes(scope, window), [
        'COUNT(*) AS deployments',
        `SUM(CASE WHEN status = 'succeeded' THEN 1 ELSE 0 END) AS succeeded`,
        `SUM(CASE WHEN status IN (${FAILED_STATUSES}) THEN 1 ELSE 0 END) AS failed`,
        `SUM(CASE WHEN status = 'succeeded' THEN seconds ELSE 0 END) AS deploy_seconds`,
      ]),
      this.aggregate(window, this.arrivals(scope, window), [
        'COUNT(*) AS lead_time_samples',
        'SUM(seconds) AS lead_time_seconds',
      ]),
      this.aggregate(window, this.restores(scope, window), [
        'COUNT(seconds) AS restores',
        'SUM(seconds) AS restore_seconds',
      ]),
    ]);
    const merge = (grouping: Grouping) => {
      const key = (row: Row) =>
        grouping === 'entity'
          ? `${row.entity_ref}\u0000${row.environment}`
          : `${row.bucket}\u0000${row.environment}`;
      const merged = new Map<string, Row>();
      for (const rows of [changes, leadTimes, restores]) {
        for (const row of rows[grouping]) {
          merged.set(key(row), { ...merged.get(key(row)), ...row });
        }
      }
      return [...merged.values()];
    };
    return {
      byEntity: merge('entity').map(row => ({
        entityRef: String(row.entity_ref),
        ...this.toCounts(row),
      })),
      byBucket: merge('bucket').map(row => ({
        bucket: Number(row.bucket),
        ...this.toCounts(row),
      })),
    };
  }

  /**
   * The applications whose first record (in the scope's environment, if
   * any) was requested since `since`: when, and when their first deployment
   * succeeded. Reads the window's records and looks up each application's
   * earlier ones by index, not the whole history.
   */
  async firstDeployments(
    scope: RecordScope,
    since: Date,
  ): Promise<FirstDeploymentTimes[]> {
    const inWindow = this.knex(TABLE)
      .modify(query => scoped(query, scope))
      .where('created_at', '>=', since)
      .select('entity_ref')
      .min({ first_requested_at: 'created_at' })
      .select(
        this.knex.raw(
          `MIN(CASE WHEN status = 'succeeded' AND action IN (${DELIVERY_ACTIONS}) THEN finished_at END) AS first_succeeded_at`,
        ),
      )
      .groupBy('entity_ref');
    const earlier = this.knex(`${TABLE} as e`)
      .whereRaw('e.entity_ref = w.entity_ref')
      .modify(query => {
        if (scope.environment) {
          query.where('e.environment', scope.environment);
        }
      })
      .where('e.created_at', '<', since)
      .select(this.knex.raw('1'));
    const rows: Array<Record<string, Date | string | number | null>> =
      await this.knex
        .from(inWindow.as('w'))
        .whereNotExists(earlier)
        .select('*')
        .orderBy('entity_ref');
    return rows.map(row => ({
      entityRef: String(row.entity_ref),
      firstRequestedAt: iso(row.first_requested_at)!,
      firstSucceededAt: iso(row.first_succeeded_at),
    }));
  }

  /** Finished deployments in the window, at their finish. */
  private changes(scope: RecordScope, window: DoraWindow): Knex.QueryBuilder {
    return this.knex(TABLE)
      .modify(query => scoped(query, scope))
      .whereRaw(`action IN (${DELIVERY_ACTIONS})`)
      .where('finished_at', '>=', window.from)
      .where('finished_at', '<', window.until)
      .select('entity_ref', 'environment', 'status', { at: 'finished_at' })
      .select(
        this.knex.raw(
          `${this.secondsBetween('created_at', 'finished_at')} AS seconds`,
        ),
      );
  }

  /**
   * Each build's first successful arrival in each environment that fell in
   * the window (deployment_arrivals), with the seconds since the build was
   * made: its `built_at`, or without one the first request to deploy it
   * anywhere. A build is its digest, or the image reference when it was
   * deployed by tag only.
   */
  private arrivals(scope: RecordScope, window: DoraWindow): Knex.QueryBuilder {
    return this.knex(ARRIVALS_TABLE)
      .modify(query => scoped(query, scope))
      .where('arrived_at', '>=', window.from)
      .where('arrived_at', '<', window.until)
      .select('entity_ref', 'environment', { at: 'arrived_at' })
      .select(
        this.knex.raw(
          `${this.secondsBetween('origin_at', 'arrived_at')} AS seconds`,
        ),
      );
  }

  /**
   * Failed changes in the window that were restored, at their finish, with
   * the seconds from the failure (when it was detected) to the previous
   * version back (an automatic rollback's restoredAt) or, without one, to
   * the next successful change of the deployment.
   */
  private restores(scope: RecordScope, window: DoraWindow): Knex.QueryBuilder {
    // The next successful change: the first one the revision index meets.
    const nextSuccess = this.knex(`${TABLE} as s`)
      .select('s.finished_at')
      .whereRaw(
        's.environment = f.environment AND s.namespace = f.namespace AND s.name = f.name AND s.revision > f.revision',
      )
      .where('s.status', 'succeeded')
      .whereRaw(`s.action IN (${DELIVERY_ACTIONS})`)
      .orderBy('s.revision')
      .limit(1);
    const failures = this.knex(`${TABLE} as f`)
      .modify(query => scoped(query, scope, 'f'))
      .whereRaw(`f.action IN (${DELIVERY_ACTIONS})`)
      .whereRaw(`f.status IN (${FAILED_STATUSES})`)
      .where('f.finished_at', '>=', window.from)
      .where('f.finished_at', '<', window.until)
      .select('f.entity_ref', 'f.environment', {
        at: 'f.finished_at',
        failed_at: this.knex.raw(
          'COALESCE(f.failure_detected_at, f.finished_at)',
        ),
        restored_at: this.knex.raw(
          `COALESCE(f.restored_at, (${nextSuccess.toQuery()}))`,
        ),
      });
    // Materialized, so that the next success is looked up once per failure
    // (COUNT and SUM both read seconds). Not yet restored: seconds is null,
    // which COUNT and SUM leave out.
    return this.knex
      .withMaterialized('failures', failures)
      .from('failures')
      .select('entity_ref', 'environment', 'at')
      .select(
        this.knex.raw(
          `${this.secondsBetween('failed_at', 'restored_at')} AS seconds`,
        ),
      );
  }

  /**
   * Groups a derived table of (entity_ref, environment, at, …) per
   * application and environment, and per environment and step, and sums.
   */
  private async aggregate(
    window: DoraWindow,
    rows: Knex.QueryBuilder,
    sums: string[],
  ): Promise<Record<Grouping, Row[]>> {
    const bucket = this.bucketOf('at', window);
    if (this.client === 'pg') {
      // The bucket is written into the statement (numbers only), so that
      // the select list and the grouping sets name the same expression.
      const all: Row[] = await this.knex
        .from(rows.as('d'))
        .select(
          this.knex.raw(
            [
              'entity_ref',
              'environment',
              `${bucket} AS bucket`,
              'GROUPING(entity_ref) AS by_bucket',
              ...sums,
            ].join(', '),
          ),
        )
        .groupByRaw(
          `GROUPING SETS ((entity_ref, environment), (environment, ${bucket}))`,
        );
      return {
        entity: all.filter(row => Number(row.by_bucket) === 0),
        bucket: all.filter(row => Number(row.by_bucket) === 1),
      };
    }
    // By position: a bound expression in the SELECT and the GROUP BY would
    // not be seen as the same.
    const grouped = (groups: string[]) =>
      this.knex
        .from(rows.clone().as('d'))
        .select(this.knex.raw([...groups, ...sums].join(', ')))
        .groupByRaw('1, 2');
    const [entity, byBucket] = await Promise.all([
      grouped(['entity_ref', 'environment']),
      grouped(['environment', `${bucket} AS bucket`]),
    ]);
    return { entity, bucket: byBucket };
  }

  private toCounts(row: Row): DoraCounts {
    const n = (value: unknown) => Number(value ?? 0);
    return {
      environment: row.environment as EnvironmentName,
      deployments: n(row.deployments),
      succeeded: n(row.succeeded),
      failed: n(row.failed),
      deploySeconds: n(row.deploy_seconds),
      leadTimeSamples: n(row.lead_time_samples),
      leadTimeSeconds: n(row.lead_time_seconds),
      restores: n(row.restores),
      restoreSeconds: n(row.restore_seconds),
    };
  }

  private get client(): 'sqlite' | 'mysql' | 'pg' {
    const client = String(this.knex.client.config.client);
    if (/sqlite/.test(client)) return 'sqlite';
    if (/mysql/.test(client)) return 'mysql';
    return 'pg';
  }

  /** SQL for the epoch seconds of a timestamp expression. */
  private epochSeconds(column: string): string {
    switch (this.client) {
      // Knex stores dates in SQLite as milliseconds since the epoch.
      case 'sqlite':
        return `(${column} / 1000.0)`;
      case 'mysql':
        return `UNIX_TIMESTAMP(${column})`;
      default:
        return `EXTRACT(EPOCH FROM ${column})`;
    }
  }

  /** SQL for the seconds between two timestamp expressions. */
  private secondsBetween(from: string, to: string): string {
    return `(${this.epochSeconds(to)} - ${this.epochSeconds(from)})`;
  }

  /** SQL for the step of the series a timestamp falls in (0 = the oldest). */
  private bucketOf(column: string, window: DoraWindow): string {
    const from = Math.floor(window.from.getTime() / 1000);
    const size = Math.floor(window.bucketSeconds);
    if (
      !Number.isSafeInteger(from) ||
      !Number.isSafeInteger(size) ||
      size < 1
    ) {
      throw new Error(`bad window ${window.from.toISOString()} / ${size}`);
    }
    // Numbers, not user input: safe to write into the statement.
    const offset = `(${this.epochSeconds(column)} - ${from}) / ${size}`;
    return this.client === 'sqlite'
      ? `CAST(${offset} AS INTEGER)`
      : `FLOOR(${offset})`;
  }
}

function scoped(
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
