import { DatabaseService } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import {
  DeploymentKey,
  DeploymentRecord,
  DeploymentStatus,
  EnvironmentName,
  FINAL_STATUSES,
  RenderedManifest,
  StatusTransition,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { Knex } from 'knex';
import { recordArrival } from './arrivals';
import { migratedClient } from './migrate';
import {
  HEADS_TABLE,
  insertRecordRow,
  NewRecord,
  RECORD_COLUMNS,
  RecordRow,
  RECORDS_TABLE,
  toRecord,
} from './recordRows';

export type { NewRecord } from './recordRows';
export type { DeploymentKey } from '@deployments-portal/backstage-plugin-deployments-common';

const TABLE = RECORDS_TABLE;
const COLUMNS: string[] = [...RECORD_COLUMNS];

/**
 * The deployments' history (every change is a record) as the read side
 * sees it: latest, last good, by revision, per namespace or application.
 * Changes are written by the engine through ChangeStore; `insert` and
 * `transition` here write history entries directly (fixtures, benchmarks).
 */
export class DeploymentStore {
  static async create(database: DatabaseService): Promise<DeploymentStore> {
    return new DeploymentStore(await migratedClient(database));
  }

  private constructor(private readonly knex: Knex) {}

  /**
   * Adds a history entry with the next revision of its deployment, in
   * `status` (default `queued`). For fixtures and benchmarks: the engine
   * queues changes through ChangeStore and only it moves them on.
   */
  async insert(
    record: NewRecord,
    now = new Date(),
    status: DeploymentStatus = 'queued',
  ): Promise<DeploymentRecord> {
    const row = await this.knex.transaction(async tx => {
      const inserted = await insertRecordRow(tx, record, { status, now });
      await recordArrival(tx, inserted);
      return inserted;
    });
    return toRecord(row);
  }

  /** Moves a history entry to a new status (fixtures, benchmarks). */
  async transition(
    id: string,
    status: DeploymentStatus,
    options: { error?: string; now?: Date } = {},
  ): Promise<DeploymentRecord> {
    const now = options.now ?? new Date();
    return this.knex.transaction(async tx => {
      const row = await tx<RecordRow>(TABLE).where({ id }).first();
      if (!row) {
        throw new NotFoundError(`No deployment record ${id}`);
      }
      const history: StatusTransition[] = JSON.parse(row.status_history);
      history.push({ status, at: now.toISOString() });
      const update: Partial<RecordRow> = {
        status,
        status_history: JSON.stringify(history),
        ...(options.error !== undefined ? { error: options.error } : {}),
        ...(FINAL_STATUSES.includes(status) ? { finished_at: now } : {}),
      };
      await tx<RecordRow>(TABLE).where({ id }).update(update);
      await recordArrival(tx, { ...row, ...update } as RecordRow);
      return toRecord({ ...row, ...update } as RecordRow);
    });
  }

  async get(id: string): Promise<DeploymentRecord | undefined> {
    const row = await this.knex(TABLE).where({ id }).first(COLUMNS);
    return row ? toRecord(row) : undefined;
  }

  /** A deployment's records, newest first. */
  async history(key: DeploymentKey, limit = 100): Promise<DeploymentRecord[]> {
    const rows = await this.knex(TABLE)
      .where(keyOf(key))
      .orderBy('revision', 'desc')
      .limit(limit)
      .select(COLUMNS);
    return rows.map(toRecord);
  }

  /** The manifests a record applied. */
  async manifests(id: string): Promise<RenderedManifest[]> {
    const row = await this.knex<RecordRow>(TABLE)
      .where({ id })
      .first('manifests');
    if (!row) {
      throw new NotFoundError(`No deployment record ${id}`);
    }
    return JSON.parse(row.manifests);
  }

  /** The latest record of a deployment (queued and cancelled ones included). */
  async latest(key: DeploymentKey): Promise<DeploymentRecord | undefined> {
    const row = await this.knex(TABLE)
      .where(keyOf(key))
      .orderBy('revision', 'desc')
      .first(COLUMNS);
    return row ? toRecord(row) : undefined;
  }

  /**
   * The latest revision that changes (or will change) what runs: every
   * change but restarts and cancelled ones. An approval requested against
   * an older revision is stale.
   */
  async latestChangingRevision(key: DeploymentKey): Promise<number> {
    const row = await this.knex<RecordRow>(TABLE)
      .where(keyOf(key))
      .whereNot('action', 'restart')
      .whereNot('status', 'cancelled')
      .max({ revision: 'revision' })
      .first();
    return Number(row?.revision ?? 0);
  }

  /** The latest succeeded record that put a version in place (not a delete). */
  async lastGood(
    key: DeploymentKey,
    beforeRevision?: number,
  ): Promise<DeploymentRecord | undefined> {
    let query = this.knex(TABLE)
      .where({ ...keyOf(key), status: 'succeeded' })
      .whereNot({ action: 'delete' });
    if (beforeRevision !== undefined) {
      query = query.where('revision', '<', beforeRevision);
    }
    const row = await query.orderBy('revision', 'desc').first(COLUMNS);
    return row ? toRecord(row) : undefined;
  }

  /**
   * What runs now: the latest record that put its objects in place — one
   * that succeeded, or failed after its apply without being rolled back
   * (its objects stay in the cluster) — unless that was a delete.
   */
  async running(key: DeploymentKey): Promise<DeploymentRecord | undefined> {
    const row = await this.knex(TABLE)
      .where(keyOf(key))
      .where(applied =>
        applied
          .where('status', 'succeeded')
          .orWhere(failed =>
            failed.where('status', 'failed').whereNotNull('applied_at'),
          ),
      )
      .orderBy('revision', 'desc')
      .first(COLUMNS);
    return row && row.action !== 'delete' ? toRecord(row) : undefined;
  }

  /**
   * What runs in every deployment that has no change queued or in
   * progress: the running record (see `running`) and the manifests it
   * applied. For the drift check, in one query.
   */
  async runningEverywhere(): Promise<
    Array<{ record: DeploymentRecord; manifests: RenderedManifest[] }>
  > {
    const runningRevisions = this.knex(TABLE)
      .where(applied =>
        applied
          .where('status', 'succeeded')
          .orWhere(failed =>
            failed.where('status', 'failed').whereNotNull('applied_at'),
          ),
      )
      .select('environment', 'namespace', 'name')
      .max({ revision: 'revision' })
      .groupBy('environment', 'namespace', 'name')
      .as('running');
    const rows = await this.knex(TABLE)
      .join(runningRevisions, join =>
        join
          .on(`${TABLE}.environment`, '=', 'running.environment')
          .andOn(`${TABLE}.namespace`, '=', 'running.namespace')
          .andOn(`${TABLE}.name`, '=', 'running.name')
          .andOn(`${TABLE}.revision`, '=', 'running.revision'),
      )
      .whereNot(`${TABLE}.action`, 'delete')
      .whereNotExists(busy =>
        busy
          .select(this.knex.raw('1'))
          .from({ b: TABLE })
          .whereRaw(`b.environment = ${TABLE}.environment`)
          .whereRaw(`b.namespace = ${TABLE}.namespace`)
          .whereRaw(`b.name = ${TABLE}.name`)
          .whereNotIn('b.status', FINAL_STATUSES),
      )
      .select([...COLUMNS, 'manifests'].map(c => `${TABLE}.${c}`));
    return rows.map(row => ({
      record: toRecord(row),
      manifests: JSON.parse(row.manifests),
    }));
  }

  /**
   * The running record (see `running`) of every deployment in scope, e.g.
   * to price what runs now per team.
   */
  async runningRecords(
    scope: { environment?: EnvironmentName; entityRefs?: string[] } = {},
  ): Promise<DeploymentRecord[]> {
    // Per deployment (heads), its newest revision that was applied: looked
    // up by the revision index, newest first, not aggregated over the
    // whole history.
    const running = this.knex(`${TABLE} as s`)
      .select('s.revision')
      .whereRaw(
        's.environment = h.environment AND s.namespace = h.namespace AND s.name = h.name',
      )
      .where(applied =>
        applied
          .where('s.status', 'succeeded')
          .orWhere(failed =>
            failed.where('s.status', 'failed').whereNotNull('s.applied_at'),
          ),
      )
      .modify(query => {
        if (scope.entityRefs) query.whereIn('s.entity_ref', scope.entityRefs);
      })
      .orderBy('s.revision', 'desc')
      .limit(1);
    const rows = await this.knex(`${HEADS_TABLE} as h`)
      .join(TABLE, join =>
        join
          .on(`${TABLE}.environment`, '=', 'h.environment')
          .andOn(`${TABLE}.namespace`, '=', 'h.namespace')
          .andOn(`${TABLE}.name`, '=', 'h.name'),
      )
      .where(`${TABLE}.revision`, running)
      .modify(query => {
        if (scope.environment) query.where('h.environment', scope.environment);
      })
      .whereNot(`${TABLE}.action`, 'delete')
      .select(COLUMNS.map(c => `${TABLE}.${c}`));
    return rows.map(toRecord);
  }

  async byRevision(
    key: DeploymentKey,
    revision: number,
  ): Promise<DeploymentRecord | undefined> {
    const row = await this.knex(TABLE)
      .where({ ...keyOf(key), revision })
      .first(COLUMNS);
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
    // The heads table has each deployment's last revision: no aggregate
    // over the whole history.
    const rows = await this.knex(`${HEADS_TABLE} as h`)
      .join(TABLE, join =>
        join
          .on(`${TABLE}.environment`, '=', 'h.environment')
          .andOn(`${TABLE}.namespace`, '=', 'h.namespace')
          .andOn(`${TABLE}.name`, '=', 'h.name')
          .andOn(`${TABLE}.revision`, '=', 'h.last_revision'),
      )
      .modify(query => {
        if (filter.environment) {
          query.where('h.environment', filter.environment);
        }
        if (filter.namespace) query.where('h.namespace', filter.namespace);
        if (filter.entityRef) {
          query.where(`${TABLE}.entity_ref`, filter.entityRef);
        }
        if (filter.entityRefs) {
          query.whereIn(`${TABLE}.entity_ref`, filter.entityRefs);
        }
      })
      .select(RECORD_COLUMNS.map(column => `${TABLE}.${column}`))
      .orderBy(`${TABLE}.created_at`, 'desc')
      .limit(filter.limit ?? 1000);
    return rows.map(toRecord);
  }

  /** The applications (entity refs) that have records, sorted. */
  async entityRefs(scope: { environment?: EnvironmentName } = {}) {
    const rows: Array<{ entity_ref: string }> = await this.knex(TABLE)
      .modify(query => {
        if (scope.environment) query.where('environment', scope.environment);
      })
      .distinct('entity_ref')
      .orderBy('entity_ref');
    return rows.map(row => row.entity_ref);
  }

  /** Image digests deployed successfully per environment, for one application. */
  async deployedDigests(
    entityRef: string,
  ): Promise<Partial<Record<EnvironmentName, string[]>>> {
    const rows = await this.knex<RecordRow>(TABLE)
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

  /**
   * The image references running now per environment, for one application:
   * of each of its deployments, the latest record whose objects stay in the
   * cluster (as `running` reads it), unless that was a delete.
   */
  async runningImages(
    entityRef: string,
  ): Promise<Partial<Record<EnvironmentName, string[]>>> {
    const applied = (query: Knex.QueryBuilder) =>
      query
        .where('status', 'succeeded')
        .orWhere(failed =>
          failed.where('status', 'failed').whereNotNull('applied_at'),
        );
    const latest = this.knex<RecordRow>(TABLE)
      .where({ entity_ref: entityRef })
      .where(applied)
      .select('environment', 'namespace', 'name')
      .max({ revision: 'revision' })
      .groupBy('environment', 'namespace', 'name')
      .as('latest');
    const rows: Array<Pick<RecordRow, 'environment' | 'image' | 'action'>> =
      await this.knex<RecordRow>(TABLE)
        .join(latest, join =>
          join
            .on(`${TABLE}.environment`, '=', 'latest.environment')
            .andOn(`${TABLE}.namespace`, '=', 'latest.namespace')
            .andOn(`${TABLE}.name`, '=', 'latest.name')
            .andOn(`${TABLE}.revision`, '=', 'latest.revision'),
        )
        .select(`${TABLE}.environment`, `${TABLE}.image`, `${TABLE}.action`)
        .orderBy(`${TABLE}.created_at`, 'desc');
    const result: Partial<Record<EnvironmentName, string[]>> = {};
    for (const row of rows) {
      if (row.action === 'delete') continue;
      const list = (result[row.environment as EnvironmentName] ??= []);
      if (!list.includes(row.image)) list.push(row.image);
    }
    return result;
  }
}

function keyOf(key: DeploymentKey) {
  return {
    environment: key.environment,
    namespace: key.namespace,
    name: key.name,
  };
}
