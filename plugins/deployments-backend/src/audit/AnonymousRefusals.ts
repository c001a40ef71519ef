import { NewAuditEvent } from '../store/AuditStore';

/** How many unauthenticated refusals a window records one by one. */
export const DEFAULT_REFUSALS_PER_WINDOW = 10;
/** The length of a window. */
export const DEFAULT_REFUSAL_WINDOW_MS = 60_000;

type Counted = { count: number; first: NewAuditEvent; firstAt: Date };

/**
 * Keeps unauthenticated callers from flooding the audit trail. In each
 * window (a minute by default, starting with the first refusal) the first
 * refusals are recorded one by one; the rest are counted per action and
 * written as one summary event per action when the window closes, so every
 * refusal is still accounted for. The window closes on a timer that does not
 * keep the process alive, and on shutdown ({@link AnonymousRefusals.flush}).
 *
 * Per process: with several replicas each one records at most this many per
 * window. Authenticated callers are never limited.
 */
export class AnonymousRefusals {
  private windowStart: Date | undefined;
  private recorded = 0;
  private readonly counted = new Map<string, Counted>();
  private timer: NodeJS.Timeout | undefined;
  private pending: Promise<void> = Promise.resolve();

  constructor(
    private readonly write: (event: NewAuditEvent) => Promise<void>,
    private readonly options: {
      perWindow?: number;
      windowMs?: number;
      now?: () => Date;
    } = {},
  ) {}

  private get perWindow() {
    return this.options.perWindow ?? DEFAULT_REFUSALS_PER_WINDOW;
  }

  private get windowMs() {
    return this.options.windowMs ?? DEFAULT_REFUSAL_WINDOW_MS;
  }

  private now() {
    return this.options.now?.() ?? new Date();
  }

  /** Records a refusal, or counts it when the window's quota is used up. */
  async refused(event: Omit<NewAuditEvent, 'actor' | 'result'>) {
    const at = this.now();
    if (
      this.windowStart &&
      at.getTime() - this.windowStart.getTime() >= this.windowMs
    ) {
      await this.flush();
    }
    if (!this.windowStart) {
      this.windowStart = at;
      this.timer = setTimeout(() => {
        this.flush().catch(() => {});
      }, this.windowMs);
      this.timer.unref?.();
    }
    const full: NewAuditEvent = {
      ...event,
      actor: 'anonymous',
      result: 'refused',
      at,
    };
    if (this.recorded < this.perWindow) {
      this.recorded += 1;
      await this.write(full);
      return;
    }
    const counted = this.counted.get(event.action);
    if (counted) counted.count += 1;
    else this.counted.set(event.action, { count: 1, first: full, firstAt: at });
  }

  /**
   * Closes the window: writes one summary event per action whose refusals
   * were counted, and starts afresh. Safe to call at any time.
   */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const start = this.windowStart;
    const counted = [...this.counted.values()];
    this.windowStart = undefined;
    this.recorded = 0;
    this.counted.clear();
    const end = this.now();
    this.pending = this.pending.then(async () => {
      for (const { count, first, firstAt } of counted) {
        await this.write({
          actor: 'anonymous',
          action: first.action,
          result: 'refused',
          at: end,
          message:
            `${count} more unauthenticated ${first.action} call${
              count === 1 ? '' : 's'
            } refused ` +
            `from ${(
              start ?? firstAt
            ).toISOString()} to ${end.toISOString()}, counted rather than ` +
            `recorded one by one (more than ${this.perWindow} per ${Math.round(
              this.windowMs / 1000,
            )} s); ` +
            `the first: ${first.message ?? ''}`,
        });
      }
    });
    return this.pending;
  }
}
