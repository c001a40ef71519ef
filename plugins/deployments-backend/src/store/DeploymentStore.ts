import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { ConflictError, NotFoundError } from '@backstage/errors';
import {
  DeploymentAction,
  DeploymentRecord,
  DeploymentRequest,
  DeploymentStatus,
  EnvironmentName,
  RenderedManifest,
  withErrorCode,
} from '@internal/backstage-plugin-deployments-common';
import { randomUUID } from 'node:crypto';
import { Knex } from 'knex';

const TABLE = 'deployment_records';

type Row = {
  id: string;
  entity_ref: string;
  environment: string;
  namespace: string;
  name: string;
  revision: number;
  action: string;
  status: string;
  request: string;
  manifests: string;
  image: string;
  digest: string | null;
  requester: string;
  change_reference: string | null;
  rollback_to_revision: number | null;
  error: string | null;
  status_history: string;
  created_at: Date | string;
  finished_at: Date | string | null;
};

export type DeploymentKey = {
  environment: EnvironmentName;
  namespace: string;
  name: string;
};

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

/** Every column a DeploymentRecord needs: all but the (large) manifests. */
const RECORD_COLUMNS: Array<Exclude<keyof Row, 'manifests'>> = [
  'id',
  'entity_ref',
  'environment',
  'namespace',
  'name',
  'revision',
  'action',
  'status',
  'request',
  'image',
  'digest',
  'requester',
  'change_reference',
  'rollback_to_revision',
  'error',
  'status_history',
  'created_at',
  'finished_at',
];

/** Actions that count as a deployment in the delivery figures. */
const DELIVERY_ACTIONS = ['deploy', 'update', 'rollback'];
const FAILED_STATUSES = ['failed', 'rolled-back'];

export type NewRecord = DeploymentKey & {
  entityRef: string;
  action: DeploymentAction;
  request: DeploymentRequest;
  manifests: RenderedManifest[];
  image: string;
  digest?: string;
  requester: string;
  changeReference?: string;
  rollbackToRevision?: number;
};

/** Constant values (never input) as an SQL list. */
function sqlList(values: string[]): string {
  return values.map(value => `'${value}'`).join(', ');
}

function iso(value: Date | string | number | null): string | undefined {
  if (value === null || value === undefined) return undefined;
  return new Date(value).toISOString();
}

function toRecord(row: Omit<Row, 'manifests'>): DeploymentRecord {
  return {
    id: row.id,
    entityRef: row.entity_ref,
    environment: row.environment as EnvironmentName,
    namespace: row.namespace,
    name: row.name,
    revision: row.revision,
    action: row.action as DeploymentAction,
    status: row.status as DeploymentStatus,
    request: JSON.parse(row.request),
    image: row.image,
    digest: row.digest ?? undefined,
    requester: row.requester,
    changeReference: row.change_reference ?? undefined,
    rollbackToRevision: row.rollback_to_revision ?? undefined,
    error: row.error ?? undefined,
    statusHistory: JSON.parse(row.status_history),
    createdAt: iso(row.created_at)!,
    finishedAt: iso(row.finished_at),
  };
}

/** Deployment records in the plugin's database (SQLite or PostgreSQL). */
export class DeploymentStore {
  static async create(database: DatabaseService): Promise<DeploymentStore> {
    const knex = await database.getClient();
    if (!database.migrations?.skip) {
      await knex.migrate.latest({
        directory: resolvePackagePath(
          '@internal/backstage-plugin-deployments-backend',
          'migrations',
        ),
      });
    }
    return new DeploymentStore(knex);
  }

  private constructor(private readonly knex: Knex) {}

  /**
   * Adds a record with the next revision of its deployment. Two concurrent
   * inserts for one deployment cannot share a revision: the unique index
   * refuses the second, which is retried.
   */
  async insert(record: NewRecord, now = new Date()): Promise<DeploymentRecord> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const latest = await this.knex<Row>(TABLE)
        .where({
          environment: record.environment,
          namespace: record.namespace,
          name: record.name,
        })
        .max({ revision: 'revision' })
        .first();
      const revision = Number(latest?.revision ?? 0) + 1;
      const status: DeploymentStatus = 'applying';
      const row: Row = {
        id: randomUUID(),
        entity_ref: record.entityRef,
        environment: record.environment,
        namespace: record.namespace,
        name: record.name,
        revision,
        action: record.action,
        status,
        request: JSON.stringify(record.request),
        manifests: JSON.stringify(record.manifests),
        image: record.image,
        digest: record.digest ?? null,
        requester: record.requester,
        change_reference: record.changeReference ?? null,
        rollback_to_revision: record.rollbackToRevision ?? null,
        error: null,
        status_history: JSON.stringify([{ status, at: now.toISOString() }]),
        created_at: now,
        finished_at: null,
      };
      try {
        await this.knex<Row>(TABLE).insert(row);
        return toRecord(row);
      } catch (error) {
        if (!/unique|duplicate/i.test(String((error as Error).message))) {
          throw error;
        }
      }
    }
    throw withErrorCode(
      new ConflictError(
        `Too many concurrent changes to ${record.namespace}/${record.name} in ${record.environment}; try again`,
      ),
      'concurrent-change',
    );
  }

  /** Moves a record to a new status, appending to its status history. */
  async transition(
    id: string,
    status: DeploymentStatus,
    options: { error?: string; now?: Date } = {},
  ): Promise<DeploymentRecord> {
    const now = options.now ?? new Date();
    return this.knex.transaction(async tx => {
      const row = await tx<Row>(TABLE).where({ id }).first();
      if (!row) {
        throw new NotFoundError(`No deployment record ${id}`);
      }
      const history = JSON.parse(row.status_history);
      history.push({ status, at: now.toISOString() });
      const finished = ['succeeded', 'failed', 'rolled-back'].includes(status);
      const update: Partial<Row> = {
        status,
        status_history: JSON.stringify(history),
        ...(options.error !== undefined ? { error: options.error } : {}),
        ...(finished ? { finished_at: now } : {}),
      };
      await tx<Row>(TABLE).where({ id }).update(update);
      return toRecord({ ...row, ...update } as Row);
    });
  }

  async get(id: string): Promise<DeploymentRecord | undefined> {
    const row = await this.knex<Row>(TABLE).where({ id }).first();
    return row ? toRecord(row) : undefined;
  }

  /** A deployment's records, newest first. */
  async history(key: DeploymentKey, limit = 100): Promise<DeploymentRecord[]> {
    const rows = await this.knex<Row>(TABLE)
      .where(key)
      .orderBy('revision', 'desc')
      .limit(limit);
    return rows.map(toRecord);
  }

  /** The manifests a record applied. */
  async manifests(id: string): Promise<RenderedManifest[]> {
    const row = await this.knex<Row>(TABLE)
      .where({ id })
      .select('manifests')
      .first();
    if (!row) {
      throw new NotFoundError(`No deployment record ${id}`);
    }
    return JSON.parse(row.manifests);
  }

  /** The latest record of a deployment. */
  async latest(key: DeploymentKey): Promise<DeploymentRecord | undefined> {
    const row = await this.knex<Row>(TABLE)
      .where(key)
      .orderBy('revision', 'desc')
      .first();
    return row ? toRecord(row) : undefined;
  }

  /** The latest succeeded record that put a version in place (not a delete). */
  async lastGood(
    key: DeploymentKey,
    beforeRevision?: number,
  ): Promise<DeploymentRecord | undefined> {
    let query = this.knex<Row>(TABLE)
      .where({ ...key, status: 'succeeded' })
      .whereNot({ action: 'delete' });
    if (beforeRevision !== undefined) {
      query = query.where('revision', '<', beforeRevision);
    }
    const row = await query.orderBy('revision', 'desc').first();
    return row ? toRecord(row) : undefined;
  }

  async byRevision(
    key: DeploymentKey,
    revision: number,
  ): Promise<DeploymentRecord | undefined> {
    const row = await this.knex<Row>(TABLE)
      .where({ ...key, revision })
      .first();
    return row ? toRecord(row) : undefined;
  }

  /** The latest record of every deployment in a namespace. */
  async listLatest(filter: {
    environment?: EnvironmentName;
    namespace?: string;
    entityRef?: string;
    /** Only deployments of these applications. */
    entityRefs?: string[];
    limit?: number;
  }): Promise<DeploymentRecord[]> {
    const where: Record<string, string> = {};
    if (filter.environment) where.environment = filter.environment;
    if (filter.namespace) where.namespace = filter.namespace;
    if (filter.entityRef) where.entity_ref = filter.entityRef;
    const latestRevisions = this.knex<Row>(TABLE)
      .where(where)
      .modify(query => {
        if (filter.entityRefs) query.whereIn('entity_ref', filter.entityRefs);
      })
      .select('environment', 'namespace', 'name')
      .max({ revision: 'revision' })
      .groupBy('environment', 'namespace', 'name')
      .as('latest');
    const rows = await this.knex<Row>(TABLE)
      .join(latestRevisions, join =>
        join
          .on(`${TABLE}.environment`, '=', 'latest.environment')
          .andOn(`${TABLE}.namespace`, '=', 'latest.namespace')
          .andOn(`${TABLE}.name`, '=', 'latest.name')
          .andOn(`${TABLE}.revision`, '=', 'latest.revision'),
      )
      .select(RECORD_COLUMNS.map(column => `${TABLE}.${column}`))
      .orderBy(`${TABLE}.created_at`, 'desc')
      .limit(filter.limit ?? 1000);
    return rows.map(toRecord);
  }

  /** The applications (entity refs) that have records, sorted. */
  async entityRefs(scope: { environment?: EnvironmentName } = {}) {
    const rows: Array<{ entity_ref: string }> = await this.knex(TABLE)
      .modify(query => this.scoped(query, scope))
      .distinct('entity_ref')
      .orderBy('entity_ref');
    return rows.map(row => row.entity_ref);
  }

  /** The most recent failed or rolled-back records, newest first. */
  async recentFailures(
    scope: RecordScope,
    limit = 20,
  ): Promise<DeploymentRecord[]> {
    const rows = await this.knex<Row>(TABLE)
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

  /** Image digests deployed successfully per environment, for one application. */
  async deployedDigests(
    entityRef: string,
  ): Promise<Partial<Record<EnvironmentName, string[]>>> {
    const rows = await this.knex<Row>(TABLE)
      .where({ entity_ref: entityRef, status: 'succeeded' })
      .whereNotNull('digest')
      .distinct('environment', 'digest');
    const result: Partial<Record<EnvironmentName, string[]>> = {};
    for (const row of rows) {
      const env = row.environment as EnvironmentName;
      (result[env] ??= []).push(row.digest!);
    }
    return result;
  }
}
