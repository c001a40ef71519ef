import { DatabaseService } from '@backstage/backend-plugin-api';
import {
  AuditAction,
  AuditEvent,
  AuditFilter,
  AuditResult,
} from '@internal/backstage-plugin-deployments-common';
import { randomUUID } from 'node:crypto';
import { Knex } from 'knex';
import { migratedClient } from './migrate';

const TABLE = 'deployment_audit_events';
const MAX_LIMIT = 10_000;

type Row = {
  seq?: number;
  id: string;
  at: Date | string;
  actor: string;
  action: string;
  result: string;
  entity_ref: string | null;
  environment: string | null;
  namespace: string | null;
  name: string | null;
  from_version: string | null;
  to_version: string | null;
  message: string | null;
  task_id: string | null;
  approval_id: string | null;
  change_id: string | null;
};

/** An audit event before it is stored. */
export type NewAuditEvent = Omit<AuditEvent, 'id' | 'at'> & { at?: Date };

function toEvent(row: Row): AuditEvent {
  const event: AuditEvent = {
    id: row.id,
    at: new Date(row.at).toISOString(),
    actor: row.actor,
    action: row.action as AuditAction,
    result: row.result as AuditResult,
  };
  const optional: Array<[keyof AuditEvent, string | null]> = [
    ['entityRef', row.entity_ref],
    ['environment', row.environment],
    ['namespace', row.namespace],
    ['name', row.name],
    ['fromVersion', row.from_version],
    ['toVersion', row.to_version],
    ['message', row.message],
    ['taskId', row.task_id],
    ['approvalId', row.approval_id],
    ['changeId', row.change_id],
  ];
  for (const [key, value] of optional) {
    if (value !== null) (event as Record<string, unknown>)[key] = value;
  }
  return event;
}

/** The audit trail in the plugin's database; append-only. */
export class AuditStore {
  static async create(database: DatabaseService): Promise<AuditStore> {
    return new AuditStore(await migratedClient(database));
  }

  private constructor(private readonly knex: Knex) {}

  async insert(event: NewAuditEvent): Promise<AuditEvent> {
    const row: Row = {
      id: randomUUID(),
      at: event.at ?? new Date(),
      actor: event.actor,
      action: event.action,
      result: event.result,
      entity_ref: event.entityRef ?? null,
      environment: event.environment ?? null,
      namespace: event.namespace ?? null,
      name: event.name ?? null,
      from_version: event.fromVersion ?? null,
      to_version: event.toVersion ?? null,
      message: event.message ?? null,
      task_id: event.taskId ?? null,
      approval_id: event.approvalId ?? null,
      change_id: event.changeId ?? null,
    };
    await this.knex<Row>(TABLE).insert(row);
    return toEvent(row);
  }

  /** Newest first (insertion order breaks ties of equal timestamps). */
  async list(filter: AuditFilter & { approvalId?: string } = {}) {
    const query = this.knex<Row>(TABLE)
      .orderBy('at', 'desc')
      .orderBy('seq', 'desc')
      .limit(Math.min(filter.limit ?? 1000, MAX_LIMIT));
    if (filter.entityRef) query.where('entity_ref', filter.entityRef);
    if (filter.environment) query.where('environment', filter.environment);
    if (filter.approvalId) query.where('approval_id', filter.approvalId);
    return (await query).map(toEvent);
  }
}
