import { DatabaseService } from '@backstage/backend-plugin-api';
import { ConflictError, NotFoundError } from '@backstage/errors';
import {
  ACTIVE_STATUSES,
  DeploymentKey,
  DeploymentRecord,
  DeploymentStatus,
  FINAL_STATUSES,
  RenderedManifest,
  withErrorCode,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { Knex } from 'knex';
import { recordArrival } from './arrivals';
import { migratedClient } from './migrate';
import {
  appendTransition,
  ChangeFields,
  LeaseLostError,
  StoredChange,
  toChange,
} from './changeRows';

export type { ChangeFields, StoredChange } from './changeRows';
export { LeaseLostError } from './changeRows';
import {
  FINAL_SQL,
  insertRecordRow,
  isUniqueViolation,
  NewRecord,
  RecordRow,
  RECORDS_TABLE,
} from './recordRows';

const TABLE = RECORDS_TABLE;

/**
 * Changes in the plugin's database, as a queue shared by every backend
 * replica: enqueued in revision order per deployment, claimed by one worker
 * at a time under a lease that it renews, resumed by another when the lease
 * runs out. Every write of a worker is fenced by its lease (`WHERE
 * lease_owner = ?`), and the database allows one active change per
 * deployment (a partial unique index), so two replicas never run changes of
 * one deployment at once.
 */
export class ChangeStore {
  static async create(database: DatabaseService): Promise<ChangeStore> {
    return new ChangeStore(await migratedClient(database));
  }

  private readonly postgres: boolean;

  private constructor(readonly knex: Knex) {
    this.postgres = /^(pg|postgres)/.test(
      String(knex.client.config.client ?? ''),
    );
  }

  /** Whether the database is PostgreSQL (the engine then listens for NOTIFY). */
  isPostgres(): boolean {
    return this.postgres;
  }

  /**
   * Queues a change behind the deployment's earlier ones. With an
   * idempotency key that was used before, answers the change made then
   * (`created: false`) instead of queueing another.
   */
  async enqueue(
    record: NewRecord,
    options: { maxQueued: number; now?: Date },
  ): Promise<{ change: StoredChange; created: boolean }> {
    const now = options.now ?? new Date();
    if (record.idempotencyKey) {
      const existing = await this.byIdempotencyKey(record.idempotencyKey);
      if (existing) return { change: existing, created: false };
    }
    try {
      const row = await this.knex.transaction(tx =>
        this.enqueueIn(tx, record, { maxQueued: options.maxQueued, now }),
      );
      return { change: toChange(row), created: true };
    } catch (error) {
      if (record.idempotencyKey && isUniqueViolation(error)) {
        const existing = await this.byIdempotencyKey(record.idempotencyKey);
        if (existing) return { change: existing, created: false };
      }
      throw error;
    }
  }

  /** Runs `fn` in one transaction of the plugin's database. */
  inTransaction<T>(fn: (tx: Knex.Transaction) => Promise<T>): Promise<T> {
    return this.knex.transaction(fn);
  }

  /**
   * Holds a deployment for the rest of the transaction (no change of it can
   * be queued meanwhile; PostgreSQL locks its revision counter, SQLite has
   * one writer) and answers its latest revision that changes what runs:
   * every change but restarts and cancelled ones.
   */
  async lockDeployment(tx: Knex.Transaction, key: DeploymentKey) {
    const head = tx('deployment_heads').where(keyOf(key));
    if (this.postgres) head.forUpdate();
    await head.first();
    const row = await tx(TABLE)
      .where(keyOf(key))
      .whereNot('action', 'restart')
      .whereNot('status', 'cancelled')
      .max({ revision: 'revision' })
      .first();
    return Number(row?.revision ?? 0);
  }

  /** Queues a change in the caller's transaction (see `enqueue`). */
  async enqueueIn(
    tx: Knex.Transaction,
    record: NewRecord,
    options: { maxQueued: number; now?: Date },
  ): Promise<RecordRow> {
    // The revision counter first: it holds the deployment for the rest of
    // the transaction, so the count below cannot be raced past the limit.
    const row = await insertRecordRow(tx, record, {
      status: 'queued',
      now: options.now ?? new Date(),
    });
    const [{ count }] = await tx(TABLE)
      .where(keyOf(record))
      .where('status', 'queued')
      .count({ count: '*' });
    if (Number(count) > options.maxQueued) {
      throw withErrorCode(
        new ConflictError(
          `${record.namespace}/${record.name} in ${
            record.environment
          } already has ${Number(count) - 1} changes queued (at most ${
            options.maxQueued
          }); wait for them to run or cancel some`,
        ),
        'queue-full',
      );
    }
    return row;
  }

  /** A stored row as a change. */
  toChange(row: RecordRow): StoredChange {
    return toChange(row);
  }

  async get(id: string): Promise<StoredChange | undefined> {
    const row = await this.knex<RecordRow>(TABLE).where({ id }).first();
    return row ? toChange(row) : undefined;
  }

  async getOrThrow(id: string): Promise<StoredChange> {
    const change = await this.get(id);
    if (!change) {
      throw withErrorCode(
        new NotFoundError(`No change ${id}`),
        'change-not-found',
      );
    }
    return change;
  }

  private async byIdempotencyKey(key: string) {
    const row = await this.knex<RecordRow>(TABLE)
      .where({ idempotency_key: key })
      .first();
    return row ? toChange(row) : undefined;
  }

  /** How many changes of the same deployment run or wait before this one. */
  async queuePosition(change: DeploymentRecord): Promise<number> {
    const [{ count }] = await this.knex(TABLE)
      .where(keyOf(change))
      .where('revision', '<', change.revision)
      .whereNotIn('status', FINAL_STATUSES)
      .count({ count: '*' });
    return Number(count);
  }

  /** The manifests a change applied (or will apply). */
  async manifests(id: string): Promise<RenderedManifest[]> {
    const row = await this.knex<RecordRow>(TABLE)
      .where({ id })
      .first('manifests');
    if (!row) throw new NotFoundError(`No deployment record ${id}`);
    return JSON.parse(row.manifests);
  }

  /**
   * Claims the oldest change a worker may run now: a queued change that is
   * next in its deployment's queue (no earlier change of the deployment is
   * unfinished), or a running change whose lease expired (its replica
   * stopped; it is resumed from its last step). The claim is one conditional
   * update; PostgreSQL skips rows other replicas are claiming.
   */
  async claim(
    worker: string,
    leaseMs: number,
    now = new Date(),
  ): Promise<StoredChange | undefined> {
    try {
      return await this.knex.transaction(async tx => {
        const query = tx<RecordRow>(`${TABLE} as r`)
          .where(next =>
            next
              .where('r.status', 'queued')
              .whereNotExists(
                tx(`${TABLE} as o`)
                  .select(tx.raw('1'))
                  .whereRaw(
                    `o.environment = r.environment AND o.namespace = r.namespace AND o.name = r.name AND o.revision < r.revision AND o.status NOT IN (${FINAL_SQL})`,
                  ),
              ),
          )
          .orWhere(stale =>
            stale
              .whereIn('r.status', ACTIVE_STATUSES)
              .where('r.lease_expires_at', '<', now),
          )
          .orderBy('r.created_at', 'asc')
          .limit(1)
          .select('r.*');
        if (this.postgres) query.forUpdate().skipLocked();
        const row = (await query)[0] as RecordRow | undefined;
        if (!row) return undefined;

        const resumed = row.status !== 'queued';
        const status: DeploymentStatus = resumed
          ? (row.status as DeploymentStatus)
          : 'planning';
        const update: Partial<RecordRow> & Record<string, unknown> = {
          status,
          lease_owner: worker,
          lease_expires_at: new Date(now.getTime() + leaseMs),
          attempts: Number(row.attempts ?? 0) + 1,
          status_history: appendTransition(row.status_history, {
            status,
            at: now.toISOString(),
            ...(resumed
              ? {
                  reason: `resumed by ${worker}${
                    row.lease_owner
                      ? ` (the lease of ${row.lease_owner} expired)`
                      : ''
                  }`,
                }
              : {}),
          }),
          ...(row.started_at ? {} : { started_at: now }),
        };
        const count = await tx(TABLE)
          .where({ id: row.id, status: row.status })
          .where(q =>
            resumed
              ? q.where('lease_expires_at', '<', now)
              : q.whereNull('lease_owner'),
          )
          .update(update);
        if (count !== 1) return undefined;
        return toChange({ ...row, ...update } as RecordRow);
      });
    } catch (error) {
      // Another replica activated a change of the same deployment first.
      if (isUniqueViolation(error)) return undefined;
      throw error;
    }
  }

  /** Extends a worker's lease; false when it no longer holds the change. */
  async heartbeat(id: string, worker: string, leaseMs: number) {
    const count = await this.knex(TABLE)
      .where({ id, lease_owner: worker })
      .whereIn('status', ACTIVE_STATUSES)
      .update({ lease_expires_at: new Date(Date.now() + leaseMs) });
    return count === 1;
  }

  /**
   * Gives a running change back (a replica shutting down): its status stays,
   * and the next worker that claims resumes it at once.
   */
  async release(id: string, worker: string) {
    await this.knex(TABLE)
      .where({ id, lease_owner: worker })
      .whereIn('status', ACTIVE_STATUSES)
      .update({
        lease_owner: null,
        lease_expires_at: new Date(0),
        // Handed back on purpose: the next pick-up is not another attempt.
        attempts: this.knex.raw('attempts - 1'),
      });
  }

  /**
   * Moves a change the worker holds to its next status, with the fields that
   * step produced. A final status ends the lease. Throws LeaseLostError when
   * the worker no longer holds it.
   */
  async transition(
    change: { id: string },
    worker: string,
    status: DeploymentStatus,
    options: { reason?: string; fields?: ChangeFields; now?: Date } = {},
  ): Promise<StoredChange> {
    const now = options.now ?? new Date();
    return this.knex.transaction(async tx => {
      const row = await tx<RecordRow>(TABLE)
        .where({ id: change.id, lease_owner: worker })
        .first();
      if (!row || FINAL_STATUSES.includes(row.status as DeploymentStatus)) {
        throw new LeaseLostError(change.id, worker);
      }
      const final = FINAL_STATUSES.includes(status);
      const fields = options.fields ?? {};
      const update: Record<string, unknown> = {
        status,
        status_history: appendTransition(row.status_history, {
          status,
          at: now.toISOString(),
          ...(options.reason ? { reason: options.reason } : {}),
        }),
        ...(final
          ? { finished_at: now, lease_owner: null, lease_expires_at: null }
          : {}),
      };
      if (fields.request) update.request = JSON.stringify(fields.request);
      if (fields.manifests) update.manifests = JSON.stringify(fields.manifests);
      if (fields.image) update.image = fields.image;
      if (fields.digest !== undefined) update.digest = fields.digest;
      if (fields.baseRevision !== undefined) {
        update.base_revision = fields.baseRevision;
      }
      if (fields.appliedAt) update.applied_at = fields.appliedAt;
      if (fields.failureDetectedAt) {
        update.failure_detected_at = fields.failureDetectedAt;
      }
      if (fields.restoredAt) update.restored_at = fields.restoredAt;
      if (fields.error !== undefined) update.error = fields.error;
      const count = await tx(TABLE)
        .where({ id: change.id, lease_owner: worker })
        .update(update);
      if (count !== 1) throw new LeaseLostError(change.id, worker);
      await recordArrival(tx, { ...row, ...update } as RecordRow);
      return toChange({ ...row, ...update } as RecordRow);
    });
  }

  /** Withdraws a change that is still queued; undefined when it is not. */
  async cancel(
    id: string,
    by: string,
    now = new Date(),
  ): Promise<StoredChange | undefined> {
    return this.knex.transaction(async tx => {
      const row = await tx<RecordRow>(TABLE)
        .where({ id, status: 'queued' })
        .first();
      if (!row) return undefined;
      const update = {
        status: 'cancelled',
        finished_at: now,
        error: `Cancelled by ${by} before it ran`,
        status_history: appendTransition(row.status_history, {
          status: 'cancelled',
          at: now.toISOString(),
          reason: `cancelled by ${by}`,
        }),
      };
      const count = await tx(TABLE)
        .where({ id, status: 'queued' })
        .whereNull('lease_owner')
        .update(update);
      return count === 1
        ? toChange({ ...row, ...update } as RecordRow)
        : undefined;
    });
  }

  /** Unfinished changes, oldest first (the engine's backlog, for figures). */
  async unfinished(limit = 1000): Promise<StoredChange[]> {
    const rows = await this.knex<RecordRow>(TABLE)
      .whereNotIn('status', FINAL_STATUSES)
      .orderBy('created_at', 'asc')
      .limit(limit);
    return rows.map(toChange);
  }
}

function keyOf(key: DeploymentKey) {
  return {
    environment: key.environment,
    namespace: key.namespace,
    name: key.name,
  };
}
