import { DatabaseService } from '@backstage/backend-plugin-api';
import {
  AuditAction,
  AuditEvent,
  AuditFilter,
  AuditPage,
  AuditResult,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { InputError } from '@backstage/errors';
import { randomUUID } from 'node:crypto';
import { Knex } from 'knex';
import { migratedClient } from './migrate';
import { clip } from '../service/errors';

const TABLE = 'deployment_audit_events';
/** The longest message an audit event keeps. */
const MAX_MESSAGE = 2000;
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

  /**
   * Appends an event. Every field is cut to its column (and control
   * characters removed): a row never grows with what a caller sent, and a
   * long value never fails the insert on PostgreSQL.
   */
  async insert(event: NewAuditEvent): Promise<AuditEvent> {
    const fit = (value: string | undefined, max: number) =>
      value === undefined ? null : clip(value, max);
    const row: Row = {
      id: randomUUID(),
      at: event.at ?? new Date(),
      actor: fit(event.actor, 255)!,
      action: event.action,
      result: event.result,
      entity_ref: fit(event.entityRef, 255),
      environment: fit(event.environment, 32),
      namespace: fit(event.namespace, 63),
      name: fit(event.name, 63),
      from_version: fit(event.fromVersion, 512),
      to_version: fit(event.toVersion, 512),
      message: fit(event.message, MAX_MESSAGE),
      task_id: fit(event.taskId, 64),
      approval_id: fit(event.approvalId, 36),
      change_id: fit(event.changeId, 36),
    };
    await this.knex<Row>(TABLE).insert(row);
    return toEvent(row);
  }

  /** Newest first (in the order they were stored). */
  async list(
    filter: AuditFilter & { approvalId?: string } = {},
  ): Promise<AuditEvent[]> {
    return (await this.page(filter)).items;
  }

  /**
   * One page, newest first, in the order the events were stored (`seq`), so
   * a cursor (the last `seq` of a page) continues exactly where the page
   * ended even when events arrive in between. `since` and `until` filter on
   * the event's time.
   */
  async page(
    filter: AuditFilter & { approvalId?: string } = {},
  ): Promise<AuditPage> {
    const limit = Math.min(filter.limit ?? 1000, MAX_LIMIT);
    const query = this.knex<Row>(TABLE)
      .orderBy('seq', 'desc')
      .limit(limit + 1);
    if (filter.entityRef) query.where('entity_ref', filter.entityRef);
    if (filter.environment) query.where('environment', filter.environment);
    if (filter.action) query.where('action', filter.action);
    if (filter.approvalId) query.where('approval_id', filter.approvalId);
    if (filter.since) query.where('at', '>=', new Date(filter.since));
    if (filter.until) query.where('at', '<', new Date(filter.until));
    if (filter.cursor) query.where('seq', '<', decodeCursor(filter.cursor));
    const rows = await query;
    const items = rows.slice(0, limit);
    return {
      items: items.map(toEvent),
      ...(rows.length > limit
        ? { nextCursor: encodeCursor(Number(items[items.length - 1].seq)) }
        : {}),
    };
  }
}

/** An opaque cursor: the position after which a page continues. */
function encodeCursor(seq: number): string {
  return Buffer.from(`audit:${seq}`).toString('base64url');
}

function cursorPosition(cursor: string): number | undefined {
  if (!/^[A-Za-z0-9_-]{1,40}$/.test(cursor)) return undefined;
  const match = /^audit:(\d{1,15})$/.exec(
    Buffer.from(cursor, 'base64url').toString('utf8'),
  );
  return match ? Number(match[1]) : undefined;
}

/** Whether `cursor` is a `nextCursor` this store could have given out. */
export function isAuditCursor(cursor: string): boolean {
  return cursorPosition(cursor) !== undefined;
}

/** The position of a cursor. */
function decodeCursor(cursor: string): number {
  const position = cursorPosition(cursor);
  if (position === undefined) {
    throw new InputError(
      'cursor is not a cursor of this audit trail; pass the nextCursor of the previous page unchanged',
    );
  }
  return position;
}
