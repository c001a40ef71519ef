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

function iso(value: Date | string | null): string | undefined {
  if (value === null || value === undefined) return undefined;
  return new Date(value).toISOString();
}

function toRecord(row: Row): DeploymentRecord {
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
    limit?: number;
  }): Promise<DeploymentRecord[]> {
    const where: Record<string, string> = {};
    if (filter.environment) where.environment = filter.environment;
    if (filter.namespace) where.namespace = filter.namespace;
    if (filter.entityRef) where.entity_ref = filter.entityRef;
    const latestRevisions = this.knex<Row>(TABLE)
      .where(where)
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
      .select(`${TABLE}.*`)
      .orderBy(`${TABLE}.created_at`, 'desc')
      .limit(filter.limit ?? 1000);
    return rows.map(toRecord);
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
