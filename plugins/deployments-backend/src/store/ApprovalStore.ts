import { DatabaseService } from '@backstage/backend-plugin-api';
import {
  ApprovalAction,
  ApprovalRequest,
  ApprovalStatus,
  DeploymentRequest,
  EnvironmentName,
  PolicyViolation,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { randomUUID } from 'node:crypto';
import { Knex } from 'knex';
import { migratedClient } from './migrate';

const TABLE = 'deployment_approval_requests';

type Row = {
  id: string;
  entity_ref: string;
  owner: string;
  environment: string;
  namespace: string;
  name: string;
  action: string;
  requester: string;
  from_version: string | null;
  to_version: string | null;
  request: string | null;
  rollback_to_revision: number | null;
  change_reference: string | null;
  task_id: string | null;
  status: string;
  created_at: Date | string;
  expires_at: Date | string;
  decided_by: string | null;
  decided_at: Date | string | null;
  comment: string | null;
  result: string | null;
  revision: number | null;
  error: string | null;
  change_hash: string | null;
  base_revision: number | null;
  change_id: string | null;
  warnings: string | null;
};

/** What a new approval request records. */
export type NewApprovalRequest = {
  entityRef: string;
  owner: string;
  environment: EnvironmentName;
  namespace: string;
  name: string;
  action: ApprovalAction;
  requester: string;
  fromVersion?: string;
  toVersion?: string;
  request?: DeploymentRequest;
  rollbackToRevision?: number;
  changeReference?: string;
  taskId?: string;
  /** The policy warnings of the request when it was checked. */
  warnings?: PolicyViolation[];
  expiresAt: Date;
  changeHash: string;
  baseRevision: number;
};

/** The outcome of a conditional decision: the winner's row, or who was first. */
export type DecisionOutcome =
  | { won: true; approval: ApprovalRequest }
  | { won: false; current: ApprovalRequest };

function iso(value: Date | string | number | null): string | undefined {
  if (value === null || value === undefined) return undefined;
  return new Date(value).toISOString();
}

function toApproval(row: Row): ApprovalRequest {
  return {
    id: row.id,
    entityRef: row.entity_ref,
    owner: row.owner,
    environment: row.environment as EnvironmentName,
    namespace: row.namespace,
    name: row.name,
    action: row.action as ApprovalAction,
    requester: row.requester,
    fromVersion: row.from_version ?? undefined,
    toVersion: row.to_version ?? undefined,
    request: row.request ? JSON.parse(row.request) : undefined,
    rollbackToRevision: row.rollback_to_revision ?? undefined,
    changeReference: row.change_reference ?? undefined,
    taskId: row.task_id ?? undefined,
    status: row.status as ApprovalStatus,
    createdAt: iso(row.created_at)!,
    expiresAt: iso(row.expires_at)!,
    decidedBy: row.decided_by ?? undefined,
    decidedAt: iso(row.decided_at),
    comment: row.comment ?? undefined,
    result: (row.result as ApprovalRequest['result']) ?? undefined,
    revision: row.revision ?? undefined,
    error: row.error ?? undefined,
    changeHash: row.change_hash ?? undefined,
    baseRevision: row.base_revision ?? undefined,
    changeId: row.change_id ?? undefined,
    warnings: row.warnings ? JSON.parse(row.warnings) : undefined,
  };
}

/**
 * Approval requests in the plugin's database. Every decision is one
 * conditional UPDATE (`WHERE id = ? AND status = 'pending'`): the row count
 * decides who wins, so two backend instances on one database never both
 * decide a request. Nothing is held in memory.
 */
export class ApprovalStore {
  static async create(database: DatabaseService): Promise<ApprovalStore> {
    return new ApprovalStore(await migratedClient(database));
  }

  private constructor(private readonly knex: Knex) {}

  async insert(
    request: NewApprovalRequest,
    now = new Date(),
  ): Promise<ApprovalRequest> {
    const row: Row = {
      id: randomUUID(),
      entity_ref: request.entityRef,
      owner: request.owner,
      environment: request.environment,
      namespace: request.namespace,
      name: request.name,
      action: request.action,
      requester: request.requester,
      from_version: request.fromVersion ?? null,
      to_version: request.toVersion ?? null,
      request: request.request ? JSON.stringify(request.request) : null,
      rollback_to_revision: request.rollbackToRevision ?? null,
      change_reference: request.changeReference ?? null,
      task_id: request.taskId ?? null,
      status: 'pending',
      created_at: now,
      expires_at: request.expiresAt,
      decided_by: null,
      decided_at: null,
      comment: null,
      result: null,
      revision: null,
      error: null,
      change_hash: request.changeHash,
      base_revision: request.baseRevision,
      change_id: null,
      warnings: request.warnings?.length
        ? JSON.stringify(request.warnings.slice(0, 20))
        : null,
    };
    await this.knex<Row>(TABLE).insert(row);
    return toApproval(row);
  }

  async get(
    id: string,
    tx: Knex = this.knex,
  ): Promise<ApprovalRequest | undefined> {
    const row = await tx<Row>(TABLE).where({ id }).first();
    return row ? toApproval(row) : undefined;
  }

  /** Newest first. */
  async list(
    filter: {
      status?: ApprovalStatus;
      entityRef?: string;
      limit?: number;
    } = {},
  ): Promise<ApprovalRequest[]> {
    const query = this.knex<Row>(TABLE)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'asc')
      .limit(filter.limit ?? 500);
    if (filter.status) query.where('status', filter.status);
    if (filter.entityRef) query.where('entity_ref', filter.entityRef);
    return (await query).map(toApproval);
  }

  /**
   * Decides a pending request. Exactly one of concurrent callers wins (row
   * count 1); the others learn who decided first. An approval or rejection
   * only wins while the request has not expired (checked in the same
   * update, so expiry needs no scheduled task to take effect). `tx`: the
   * transaction to decide in (approving also queues the change in it).
   */
  async decide(
    id: string,
    decision: {
      status: Exclude<ApprovalStatus, 'pending'>;
      by: string;
      comment?: string;
      now?: Date;
    },
    tx: Knex = this.knex,
  ): Promise<DecisionOutcome | undefined> {
    const now = decision.now ?? new Date();
    const query = tx<Row>(TABLE).where({ id, status: 'pending' });
    if (decision.status === 'approved' || decision.status === 'rejected') {
      query.where('expires_at', '>', now);
    }
    const count = await query.update({
      status: decision.status,
      decided_by: decision.by,
      decided_at: now,
      comment: decision.comment ?? null,
    });
    const row = await tx<Row>(TABLE).where({ id }).first();
    if (!row) return undefined;
    const current = toApproval(row);
    return count === 1
      ? { won: true, approval: current }
      : { won: false, current };
  }

  /** The change an approval queued. */
  async setChange(id: string, changeId: string, tx: Knex = this.knex) {
    await tx<Row>(TABLE).where({ id }).update({ change_id: changeId });
  }

  /** Pending requests whose time ran out at `now`. */
  async overdue(now = new Date()): Promise<ApprovalRequest[]> {
    const rows = await this.knex<Row>(TABLE)
      .where('status', 'pending')
      .where('expires_at', '<=', now)
      .orderBy('expires_at', 'asc')
      .limit(500);
    return rows.map(toApproval);
  }

  /** What applying an approved request did. */
  async recordResult(
    id: string,
    result: { result: 'applied' | 'failed'; revision?: number; error?: string },
  ): Promise<ApprovalRequest> {
    await this.knex<Row>(TABLE)
      .where({ id })
      .update({
        result: result.result,
        revision: result.revision ?? null,
        error: result.error ?? null,
      });
    return (await this.get(id))!;
  }
}
