import { LoggerService } from '@backstage/backend-plugin-api';
import { AuditLog } from '../audit/AuditLog';
import {
  NotificationOutboxStore,
  OutboxMessage,
} from '../store/NotificationOutboxStore';
import { attemptDelivery, nextAttempt } from './deliverWebhook';
import { NotificationSettings } from './readNotificationSettings';
import { recordUndelivered } from './recordUndelivered';

/** How long a replica's claim on a message holds beyond one attempt. */
const LEASE_MARGIN_MS = 10_000;

/**
 * Delivers what the outbox holds, on every replica: due messages are
 * claimed (one replica each), tried once, and then removed (delivered, or
 * refused / out of time: recorded as `notification.failed`) or put back
 * with the time of their next attempt (backoff with jitter, or the
 * webhook's Retry-After). It looks for due messages every
 * `pollIntervalMs`, at once when this replica added one, and when a retry
 * it scheduled is due. On stop, messages in flight are given back untried
 * for the next start (or another replica) to deliver.
 */
export class OutboxDeliverer {
  static create(options: {
    outbox: NotificationOutboxStore;
    settings: NotificationSettings;
    logger: LoggerService;
    audit?: AuditLog;
    fetch?: typeof fetch;
    pollIntervalMs?: number;
    concurrency?: number;
  }): OutboxDeliverer {
    return new OutboxDeliverer(
      options.outbox,
      options.settings,
      options.logger,
      options.audit,
      options.fetch,
      options.pollIntervalMs ?? 1000,
      options.concurrency ?? 8,
    );
  }

  private readonly inFlight = new Set<Promise<void>>();
  private readonly stopping = new AbortController();
  private readonly timers = new Set<NodeJS.Timeout>();
  private pollTimer: NodeJS.Timeout | undefined;
  private started = false;
  private ticking: Promise<void> | undefined;
  private again = false;

  private constructor(
    private readonly outbox: NotificationOutboxStore,
    private readonly settings: NotificationSettings,
    private readonly logger: LoggerService,
    private readonly audit: AuditLog | undefined,
    private readonly fetchFn: typeof fetch | undefined,
    private readonly pollIntervalMs: number,
    private readonly concurrency: number,
  ) {}

  start(): void {
    if (this.started || this.stopping.signal.aborted) return;
    this.started = true;
    this.wake();
  }

  /** Looks for due messages now. */
  wake(): void {
    if (!this.started || this.stopping.signal.aborted) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    this.ticking = this.tick()
      .catch(error => {
        this.logger.warn('Notification outbox could not be read', {
          error: (error as Error).message,
        });
      })
      .finally(() => {
        this.ticking = undefined;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  /** Resolves once nothing is in flight and no message is due (tests). */
  async idle(): Promise<void> {
    for (;;) {
      await this.ticking;
      await Promise.allSettled([...this.inFlight]);
      if (!this.ticking && this.inFlight.size === 0) {
        if ((await this.outbox.count()) === 0) return;
        await new Promise(r => setTimeout(r, 20));
      }
    }
  }

  /** Stops delivering; messages in flight go back to the outbox untried. */
  async stop(): Promise<void> {
    this.stopping.abort();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    clearTimeout(this.pollTimer);
    await this.ticking;
    await Promise.allSettled([...this.inFlight]);
  }

  private after(ms: number) {
    if (this.stopping.signal.aborted) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.wake();
    }, Math.max(0, ms));
    timer.unref?.();
    this.timers.add(timer);
  }

  private async tick() {
    const free = this.concurrency - this.inFlight.size;
    if (free > 0) {
      const claimed = await this.outbox.claimDue(
        free,
        this.settings.delivery.attemptTimeoutMs + LEASE_MARGIN_MS,
      );
      for (const message of claimed) {
        const run: Promise<void> = this.deliver(message)
          .catch(error => {
            this.logger.error('Deployment announcement could not be sent', {
              webhook: message.webhook,
              error: (error as Error).message,
            });
          })
          .finally(() => {
            this.inFlight.delete(run);
            this.wake();
          });
        this.inFlight.add(run);
      }
    }
    if (this.stopping.signal.aborted) return;
    clearTimeout(this.pollTimer);
    this.pollTimer = setTimeout(() => this.wake(), this.pollIntervalMs);
    this.pollTimer.unref?.();
  }

  private async deliver(message: OutboxMessage) {
    const { subject } = message;
    const webhook = this.settings.webhooks.find(
      w => w.name === message.webhook,
    );
    const attempts = message.attempts + 1;
    const fail = async (reason: string) => {
      await recordUndelivered({
        audit: this.audit,
        logger: this.logger,
        webhook: message.webhook,
        subject,
        attempts: message.attempts,
        reason,
      });
      await this.outbox.remove(message.id);
    };
    if (!webhook) {
      await fail(
        'the webhook is no longer configured (deployments.notifications.webhooks)',
      );
      return;
    }
    const result = await attemptDelivery({
      url: webhook.url,
      body: JSON.stringify(message.body),
      timeoutMs: Math.max(
        1,
        Math.min(
          this.settings.delivery.attemptTimeoutMs,
          message.deadlineMs - Date.now(),
        ),
      ),
      fetch: this.fetchFn,
      signal: this.stopping.signal,
    });
    if (result.outcome === 'delivered') {
      await this.outbox.remove(message.id);
      if (attempts > 1) {
        this.logger.info('Deployment announcement delivered after retries', {
          webhook: webhook.name,
          event: subject.event,
          entityRef: subject.entityRef,
          attempts,
        });
      }
      return;
    }
    if (result.outcome === 'refused') {
      await recordUndelivered({
        audit: this.audit,
        logger: this.logger,
        webhook: webhook.name,
        subject,
        attempts,
        reason: result.reason,
      });
      await this.outbox.remove(message.id);
      return;
    }
    if (this.stopping.signal.aborted) {
      // Cut short by the shutdown: not an attempt; the next start retries.
      await this.outbox.release(message.id);
      return;
    }
    const next = nextAttempt({
      attempts,
      reason: result.reason,
      retryAfterMs: result.retryAfterMs,
      settings: this.settings.delivery,
      startedMs: message.createdMs,
      deadlineMs: message.deadlineMs,
    });
    if ('giveUp' in next) {
      await recordUndelivered({
        audit: this.audit,
        logger: this.logger,
        webhook: webhook.name,
        subject,
        attempts,
        reason: next.giveUp,
      });
      await this.outbox.remove(message.id);
      return;
    }
    await this.outbox.retryLater(message.id, {
      attempts,
      nextAttemptMs: next.retryAtMs,
      error: result.reason,
    });
    this.after(next.retryAtMs - Date.now());
  }
}
