import {
  DeploymentAction,
  DeploymentKey,
  DeploymentRecord,
  DeploymentRequest,
  DeploymentStatus,
  DeploymentUpdate,
  EnvironmentName,
  FINAL_STATUSES,
  PolicyViolation,
  RecoveryTimes,
  RenderedManifest,
  StatusTransition,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { randomUUID } from 'node:crypto';
import { Knex } from 'knex';

/** The table of changes: one row per change, the deployment's history. */
export const RECORDS_TABLE = 'deployment_records';
export const HEADS_TABLE = 'deployment_heads';

/** A row of deployment_records. */
export type RecordRow = {
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
  created_at: Date | string | number;
  finished_at: Date | string | number | null;
  input: string | null;
  base_revision: number | null;
  timeout_seconds: number | null;
  lease_owner: string | null;
  lease_expires_at: Date | string | number | null;
  attempts: number;
  started_at: Date | string | number | null;
  applied_at: Date | string | number | null;
  idempotency_key: string | null;
  approval_id: string | null;
  task_id: string | null;
  warnings: string | null;
  failure_detected_at: Date | string | number | null;
  restored_at: Date | string | number | null;
  built_at: Date | string | null;
};

/** Every column a DeploymentRecord needs: all but the (large) manifests. */
export const RECORD_COLUMNS = [
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
  'started_at',
  'finished_at',
  'approval_id',
  'task_id',
  'warnings',
  'applied_at',
  'failure_detected_at',
  'restored_at',
] as const satisfies ReadonlyArray<keyof RecordRow>;

/** A new change or history entry. */
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
  /** For an update: the fields to merge over what runs when it is planned. */
  input?: DeploymentUpdate;
  /** The revision that ran when the change was checked (and rendered). */
  baseRevision?: number;
  /** The policy warnings of the request when it was checked. */
  warnings?: PolicyViolation[];
  timeoutSeconds?: number;
  /** A key that makes asking twice (a retried scaffolder step) give one change. */
  idempotencyKey?: string;
  approvalId?: string;
  taskId?: string;
};

export function iso(
  value: Date | string | number | null | undefined,
): string | undefined {
  if (value === null || value === undefined) return undefined;
  return new Date(value).toISOString();
}

export function toRecord(
  row: Pick<RecordRow, (typeof RECORD_COLUMNS)[number]>,
): DeploymentRecord {
  const record: DeploymentRecord = {
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
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    approvalId: row.approval_id ?? undefined,
    taskId: row.task_id ?? undefined,
    warnings: row.warnings ? JSON.parse(row.warnings) : undefined,
    recovery: recoveryOf(row),
  };
  for (const key of Object.keys(record) as Array<keyof DeploymentRecord>) {
    if (record[key] === undefined) delete record[key];
  }
  return record;
}

/** Time to detect and to restore, for a change rolled back automatically. */
function recoveryOf(
  row: Pick<RecordRow, 'applied_at' | 'failure_detected_at' | 'restored_at'>,
): RecoveryTimes | undefined {
  const detectedAt = iso(row.failure_detected_at);
  if (!detectedAt) return undefined;
  const appliedAt = iso(row.applied_at);
  const restoredAt = iso(row.restored_at);
  const seconds = (from: string, to: string) =>
    Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 100) / 10);
  return {
    detectedAt,
    detectSeconds: appliedAt ? seconds(appliedAt, detectedAt) : 0,
    ...(restoredAt
      ? { restoredAt, restoreSeconds: seconds(detectedAt, restoredAt) }
      : {}),
  };
}

/** Constant values (never input) as an SQL list. */
export function sqlList(values: readonly string[]): string {
  return values.map(value => `'${value}'`).join(', ');
}

export const FINAL_SQL = sqlList(FINAL_STATUSES);

export function isUniqueViolation(error: unknown): boolean {
  return /unique|duplicate/i.test(String((error as Error)?.message));
}

/**
 * The next revision of a deployment: one counter row per deployment,
 * incremented in the caller's transaction (PostgreSQL holds the row lock
 * until it commits, so concurrent changes are numbered in commit order).
 */
export async function nextRevision(
  tx: Knex.Transaction,
  key: DeploymentKey,
): Promise<number> {
  const where = {
    environment: key.environment,
    namespace: key.namespace,
    name: key.name,
  };
  await tx(HEADS_TABLE)
    .insert({ ...where, last_revision: 1 })
    .onConflict(['environment', 'namespace', 'name'])
    .merge({ last_revision: tx.raw(`${HEADS_TABLE}.last_revision + 1`) });
  const head = await tx(HEADS_TABLE).where(where).first('last_revision');
  return Number(head.last_revision);
}

/** A history entry's row, numbered in the caller's transaction. */
export async function insertRecordRow(
  tx: Knex.Transaction,
  record: NewRecord,
  options: { status: DeploymentStatus; now: Date; reason?: string },
): Promise<RecordRow> {
  const { status, now } = options;
  const transition: StatusTransition = { status, at: now.toISOString() };
  if (options.reason) transition.reason = options.reason;
  const row: RecordRow = {
    id: randomUUID(),
    entity_ref: record.entityRef,
    environment: record.environment,
    namespace: record.namespace,
    name: record.name,
    revision: await nextRevision(tx, record),
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
    status_history: JSON.stringify([transition]),
    created_at: now,
    finished_at: FINAL_STATUSES.includes(status) ? now : null,
    input: record.input ? JSON.stringify(record.input) : null,
    base_revision: record.baseRevision ?? null,
    timeout_seconds: record.timeoutSeconds ?? null,
    lease_owner: null,
    lease_expires_at: null,
    attempts: 0,
    started_at: null,
    applied_at: null,
    idempotency_key: record.idempotencyKey ?? null,
    approval_id: record.approvalId ?? null,
    task_id: record.taskId ?? null,
    warnings: record.warnings?.length
      ? JSON.stringify(record.warnings.slice(0, 20))
      : null,
    failure_detected_at: null,
    restored_at: null,
    built_at: record.request.builtAt ? new Date(record.request.builtAt) : null,
  };
  await tx(RECORDS_TABLE).insert(row);
  return row;
}
