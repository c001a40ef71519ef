import { DatabaseService } from '@backstage/backend-plugin-api';
import { EnvironmentName } from '@deployments-portal/backstage-plugin-deployments-common';
import { Knex } from 'knex';
import { RecordScope } from './DeliveryStore';
import { migratedClient } from './migrate';
import { RECORDS_TABLE, sqlList } from './recordRows';

const TABLE = RECORDS_TABLE;

/** Changes that count as a deployment, and those that ship a build. */
const DELIVERY_ACTIONS = sqlList(['deploy', 'update', 'rollback']);
const SHIPPING_ACTIONS = sqlList(['deploy', 'update']);
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

  async countsByEntity(
    scope: RecordScope,
    window: DoraWindow,
  ): Promise<EntityDoraCounts[]> {
    const rows = await this.counts('entity', scope, window);
    return rows.map(row => ({
      entityRef: String(row.entity_ref),
      ...this.toCounts(row),
    }));
  }

  async countsByBucket(
    scope: RecordScope,
    window: DoraWindow,
  ): Promise<BucketDoraCounts[]> {
    const rows = await this.counts('bucket', scope, window);
    return rows.map(row => ({
      bucket: Number(row.bucket),
      ...this.toCounts(row),
    }));
  }

  private async counts(
    grouping: Grouping,
    scope: RecordScope,
    window: DoraWindow,
  ): Promise<Row[]> {
    const [changes, leadTimes, restores] = await Promise.all([
      this.aggregate(grouping, window, this.changes(scope, window), [
        'COUNT(*) AS deployments',
        `SUM(CASE WHEN status = 'succeeded' THEN 1 ELSE 0 END) AS succeeded`,
        `SUM(CASE WHEN status IN (${FAILED_STATUSES}) THEN 1 ELSE 0 END) AS failed`,
        `SUM(CASE WHEN status = 'succeeded' THEN seconds ELSE 0 END) AS deploy_seconds`,
      ]),
      this.aggregate(grouping, window, this.arrivals(scope, window), [
        'COUNT(*) AS lead_time_samples',
        'SUM(seconds) AS lead_time_seconds',
      ]),
      this.aggregate(grouping, window, this.restores(scope, window), [
        'COUNT(*) AS restores',
        'SUM(seconds) AS restore_seconds',
      ]),
    ]);
    const key = (row: Row) =>
      grouping === 'entity'
        ? `${row.entity_ref}\u0000${row.environment}`
        : `${row.bucket}\u0000${row.environment}`;
    const merged = new Map<string, Row>();
    for (const row of [...changes, ...leadTimes, ...restores]) {
      merged.set(key(row), { ...merged.get(key(row)), ...row });
    }
    return [...merged.values()];
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
   * the window, with the seconds since the build was made: its `built_at`,
   * or without one the first request to deploy it anywhere. A build is its
   * digest, or the image reference when it was deployed by tag only.
   */
  private arrivals(scope: RecordScope, window: DoraWindow): Knex.QueryBuilder {
    const build = 'COALESCE(digest, image)';
    const arrived = this.knex(TABLE)
      .modify(query => scoped(query, scope))
      .whereRaw(`action IN (${SHIPPING_ACTIONS})`)
      .where('status', 'succeeded')
      .whereNotNull('finished_at')
      .select('entity_ref', 'environment', this.knex.raw(`${build} AS build`))
      .min({ arrived_at: 'finished_at' })
      .groupByRaw(`entity_ref, environment, ${build}`);
    // Where the build came from is not limited to the scope's environment.
    const origins = this.knex(TABLE)
      .modify(query => scoped(query, { entityRefs: scope.entityRefs }))
      .select('entity_ref', this.knex.raw(`${build} AS build`))
      .min({ built_at: 'built_at', first_seen: 'created_at' })
      .groupByRaw(`entity_ref, ${build}`);
    return this.knex
      .from(arrived.as('a'))
      .join(origins.as('o'), join =>
        join.on('o.entity_ref', 'a.entity_ref').andOn('o.build', 'a.build'),
      )
      .where('a.arrived_at', '>=', window.from)
      .where('a.arrived_at', '<', window.until)
      .select('a.entity_ref', 'a.environment', { at: 'a.arrived_at' })
      .select(
        this.knex.raw(
          `${this.secondsBetween(
            'COALESCE(o.built_at, o.first_seen)',
            'a.arrived_at',
          )} AS seconds`,
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
    const nextSuccess = this.knex(`${TABLE} as s`)
      .min('s.finished_at')
      .whereRaw(
        's.environment = f.environment AND s.namespace = f.namespace AND s.name = f.name AND s.revision > f.revision',
      )
      .where('s.status', 'succeeded')
      .whereRaw(`s.action IN (${DELIVERY_ACTIONS})`);
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
    return this.knex
      .from(failures.as('x'))
      .whereNotNull('restored_at')
      .select('entity_ref', 'environment', 'at')
      .select(
        this.knex.raw(
          `${this.secondsBetween('failed_at', 'restored_at')} AS seconds`,
        ),
      );
  }

  /** Groups a derived table of (entity_ref, environment, at, …) and sums. */
  private aggregate(
    grouping: Grouping,
    window: DoraWindow,
    rows: Knex.QueryBuilder,
    sums: string[],
  ): Promise<Row[]> {
    const groups =
      grouping === 'entity'
        ? ['entity_ref', 'environment']
        : ['environment', `${this.bucketOf('at', window)} AS bucket`];
    // By position: PostgreSQL would not see a bound expression in the
    // SELECT and the GROUP BY as the same.
    return this.knex
      .from(rows.as('d'))
      .select(this.knex.raw([...groups, ...sums].join(', ')))
      .groupByRaw('1, 2');
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
