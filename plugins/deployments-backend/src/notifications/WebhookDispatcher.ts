import { LoggerService } from '@backstage/backend-plugin-api';
import { AuditLog } from '../audit/AuditLog';
import { Announcement, renderWebhookBody } from './chatMessages';
import { deliverWebhook } from './deliverWebhook';
import {
  NotificationOutboxStore,
  OutboxSubject,
} from '../store/NotificationOutboxStore';
import { OutboxDeliverer } from './OutboxDeliverer';
import { recordUndelivered } from './recordUndelivered';
import {
  NotificationSettings,
  WebhookTarget,
} from './readNotificationSettings';

/** Messages waiting for a free delivery slot; more are dropped (and logged). */
const MAX_WAITING = 1000;
/** Deliveries in flight at once, over all webhooks. */
const CONCURRENCY = 8;

/**
 * Delivers announcements to the configured chat webhooks in the background:
 * `dispatch` returns at once and never throws, so the change that announced
 * something never waits for a chat. Each webhook is tried until it takes
 * the message or the delivery time limit is spent; a message that was
 * never delivered is one `notification.failed` event in the audit trail
 * (the webhook's name, never its URL) and a warning in the log.
 *
 * With an `outbox` (the backend), messages wait in the database and any
 * replica delivers them (OutboxDeliverer): a restart loses none. Without
 * one they live in this process's memory (deliverWebhook), and one still
 * being retried on stop is recorded as failed.
 */
export class WebhookDispatcher {
  static create(options: {
    settings: NotificationSettings;
    logger: LoggerService;
    /** Where final failures are recorded. */
    audit?: AuditLog;
    /** The owning group of an application, for webhooks of some teams only. */
    ownerOf?: (entityRef: string) => Promise<string | undefined>;
    fetch?: typeof fetch;
    /** Where messages wait for delivery, across restarts and replicas. */
    outbox?: NotificationOutboxStore;
    /** How often the outbox is read without a signal. Default 1000. */
    pollIntervalMs?: number;
  }): WebhookDispatcher {
    const deliverer = options.outbox
      ? OutboxDeliverer.create({
          outbox: options.outbox,
          settings: options.settings,
          logger: options.logger,
          audit: options.audit,
          fetch: options.fetch,
          pollIntervalMs: options.pollIntervalMs,
        })
      : undefined;
    return new WebhookDispatcher(
      options.settings,
      options.logger,
      options.audit,
      options.ownerOf,
      options.fetch,
      options.outbox,
      deliverer,
    );
  }

  private readonly waiting: Array<() => Promise<void>> = [];
  private readonly running = new Set<Promise<void>>();
  private readonly stopping = new AbortController();

  private constructor(
    private readonly settings: NotificationSettings,
    private readonly logger: LoggerService,
    private readonly audit: AuditLog | undefined,
    private readonly ownerOf:
      | ((entityRef: string) => Promise<string | undefined>)
      | undefined,
    private readonly fetchFn: typeof fetch | undefined,
    private readonly outbox: NotificationOutboxStore | undefined,
    private readonly deliverer: OutboxDeliverer | undefined,
  ) {}

  /** Starts delivering from the outbox (on backend start-up). */
  start(): void {
    if (this.enabled) this.deliverer?.start();
  }

  /** Whether any webhook is configured. */
  get enabled(): boolean {
    return this.settings.webhooks.length > 0;
  }

  /** The app's address, for absolute links. */
  get appBaseUrl(): string | undefined {
    return this.settings.appBaseUrl;
  }

  /** Queues the announcement for every webhook it concerns; returns at once. */
  dispatch(announcement: Announcement): void {
    if (!this.enabled || this.stopping.signal.aborted) return;
    this.enqueue(async () => {
      const targets = await this.targetsOf(announcement);
      if (this.outbox) {
        await this.outbox.add(
          targets.map(target => ({
            webhook: target.name,
            body: renderWebhookBody(target.format, announcement),
            subject: subjectOf(target, announcement),
            deadlineMs: Date.now() + this.settings.delivery.maxDurationMs,
          })),
        );
        this.deliverer?.wake();
        return;
      }
      for (const target of targets) {
        this.enqueue(() => this.deliver(target, announcement));
      }
    });
  }

  /** Resolves once nothing is waiting or in flight (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running.size > 0 || this.waiting.length > 0) {
      await Promise.allSettled([...this.running]);
    }
    await this.deliverer?.idle();
  }

  /** Stops retrying (what is still undelivered is recorded as failed). */
  async stop(): Promise<void> {
    this.stopping.abort();
    while (this.running.size > 0 || this.waiting.length > 0) {
      await Promise.allSettled([...this.running]);
    }
    await this.deliverer?.stop();
  }

  private async targetsOf(a: Announcement): Promise<WebhookTarget[]> {
    const { environment, entityRef } = a.event;
    const inEnvironment = this.settings.webhooks.filter(
      w => !w.environments || w.environments.includes(environment),
    );
    if (!inEnvironment.some(w => w.teams)) return inEnvironment;
    let owner = a.owner;
    if (!owner && this.ownerOf) {
      owner = await this.ownerOf(entityRef).catch(error => {
        this.logger.warn('Owner of an announced application unknown', {
          entityRef,
          error: (error as Error).message,
        });
        return undefined;
      });
    }
    return inEnvironment.filter(
      w => !w.teams || (owner !== undefined && w.teams.includes(owner)),
    );
  }

  private async deliver(target: WebhookTarget, a: Announcement) {
    const result = await deliverWebhook({
      url: target.url,
      body: renderWebhookBody(target.format, a),
      settings: this.settings.delivery,
      fetch: this.fetchFn,
      signal: this.stopping.signal,
    });
    if (result.delivered) {
      if (result.attempts > 1) {
        this.logger.info('Deployment announcement delivered after retries', {
          webhook: target.name,
          event: a.event.event,
          entityRef: a.event.entityRef,
          attempts: result.attempts,
        });
      }
      return;
    }
    await recordUndelivered({
      audit: this.audit,
      logger: this.logger,
      webhook: target.name,
      subject: subjectOf(target, a),
      attempts: result.attempts,
      reason: result.reason,
    });
  }

  private enqueue(task: () => Promise<void>) {
    if (this.waiting.length >= MAX_WAITING) {
      this.logger.warn(
        `Deployment announcement dropped: ${MAX_WAITING} messages already wait for a webhook`,
      );
      return;
    }
    this.waiting.push(task);
    this.pump();
  }

  private pump() {
    while (this.running.size < CONCURRENCY && this.waiting.length > 0) {
      const task = this.waiting.shift()!;
      const run: Promise<void> = task()
        .catch(error => {
          this.logger.error('Deployment announcement could not be sent', {
            error: (error as Error).message,
          });
        })
        .finally(() => {
          this.running.delete(run);
          this.pump();
        });
      this.running.add(run);
    }
  }
}

/** The audit fields of an announcement to one webhook. */
function subjectOf(target: WebhookTarget, a: Announcement): OutboxSubject {
  return {
    event: a.event.event,
    format: target.format,
    entityRef: a.event.entityRef,
    environment: a.event.environment,
    namespace: a.event.namespace || undefined,
    name: a.event.name || undefined,
    fromVersion: a.event.fromVersion,
    toVersion: a.event.toVersion,
    approvalId: a.event.approvalId,
    changeId: a.changeId,
  };
}
