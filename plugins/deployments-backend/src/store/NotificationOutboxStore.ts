import { DatabaseService } from '@backstage/backend-plugin-api';
import { randomUUID } from 'node:crypto';
import { Knex } from 'knex';
import { migratedClient } from './migrate';

const TABLE = 'deployment_notification_outbox';
const MAX_ERROR = 500;

/** What an announcement is about: the audit fields of its failure. */
export type OutboxSubject = {
  event: string;
  format: string;
  entityRef: string;
  environment: string;
  namespace?: string;
  name?: string;
  fromVersion?: string;
  toVersion?: string;
  approvalId?: string;
  changeId?: string;
};

/** A message for one webhook, as the outbox keeps it. */
export type OutboxMessage = {
  id: string;
  webhook: string;
  body: unknown;
  subject: OutboxSubject;
  attempts: number;
  lastError?: string;
  createdMs: number;
  deadlineMs: number;
};

type Row = {
  id: string;
  webhook: string;
  body: string;
  subject: string;
  attempts: number | string;
  last_error: string | null;
  created_ms: number | string;
  next_attempt_ms: number | string;
  deadline_ms: number | string;
  claimed_until_ms: number | string | null;
};

function toMessage(row: Row): OutboxMessage {
  return {
    id: row.id,
    webhook: row.webhook,
    body: JSON.parse(row.body),
    subject: JSON.parse(row.subject),
    attempts: Number(row.attempts),
    ...(row.last_error ? { lastError: row.last_error } : {}),
    createdMs: Number(row.created_ms),
    deadlineMs: Number(row.deadline_ms),
  };
}

/**
 * Chat announcements waiting for their webhook, in the plugin's database:
 * they survive a restart, and of several replicas exactly one delivers a
 * message at a time (a claim with a lease, taken by a conditional update).
 */
export class NotificationOutboxStore {
  static async create(
    database: DatabaseService,
  ): Promise<NotificationOutboxStore> {
    return new NotificationOutboxStore(await migratedClient(database));
  }

  private constructor(private readonly knex: Knex) {}

  /** Adds messages, due at once. */
  async add(
    messages: Array<{
      webhook: string;
      body: unknown;
      subject: OutboxSubject;
      deadlineMs: number;
    }>,
    nowMs = Date.now(),
  ): Promise<void> {
    if (messages.length === 0) return;
    await this.knex<Row>(TABLE).insert(
      messages.map(message => ({
        id: randomUUID(),
        webhook: message.webhook,
        body: JSON.stringify(message.body),
        subject: JSON.stringify(message.subject),
        attempts: 0,
        last_error: null,
        created_ms: nowMs,
        next_attempt_ms: nowMs,
        deadline_ms: message.deadlineMs,
        claimed_until_ms: null,
      })),
    );
  }

  /**
   * Claims up to `limit` due messages for `leaseMs`: no other replica
   * takes them until the lease ends (or they are released).
   */
  async claimDue(
    limit: number,
    leaseMs: number,
    nowMs = Date.now(),
  ): Promise<OutboxMessage[]> {
    const free = (query: Knex.QueryBuilder) =>
      query
        .where('next_attempt_ms', '<=', nowMs)
        .andWhere(q =>
          q
            .whereNull('claimed_until_ms')
            .orWhere('claimed_until_ms', '<', nowMs),
        );
    const due: Row[] = await free(this.knex<Row>(TABLE).select('*'))
      .orderBy('next_attempt_ms')
      .limit(limit);
    const claimed: OutboxMessage[] = [];
    for (const row of due) {
      const taken = await free(
        this.knex<Row>(TABLE).where('id', row.id),
      ).update({ claimed_until_ms: nowMs + leaseMs });
      if (taken === 1) claimed.push(toMessage(row));
    }
    return claimed;
  }

  /** The message is done with (delivered, or its failure recorded). */
  async remove(id: string): Promise<void> {
    await this.knex<Row>(TABLE).where('id', id).delete();
  }

  /** Tried once more without success: due again at `nextAttemptMs`. */
  async retryLater(
    id: string,
    retry: { attempts: number; nextAttemptMs: number; error: string },
  ): Promise<void> {
    await this.knex<Row>(TABLE)
      .where('id', id)
      .update({
        attempts: retry.attempts,
        next_attempt_ms: retry.nextAttemptMs,
        last_error: retry.error.slice(0, MAX_ERROR),
        claimed_until_ms: null,
      });
  }

  /** Gives a claimed message back untried (this replica stops). */
  async release(id: string): Promise<void> {
    await this.knex<Row>(TABLE)
      .where('id', id)
      .update({ claimed_until_ms: null });
  }

  /** How many messages wait (tests, metrics). */
  async count(): Promise<number> {
    const [{ n }] = await this.knex(TABLE).count({ n: '*' });
    return Number(n);
  }
}
