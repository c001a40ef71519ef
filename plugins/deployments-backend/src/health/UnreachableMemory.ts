import { CacheService } from '@backstage/backend-plugin-api';

const SHARED_READ_TIMEOUT_MS = 100;

/**
 * Remembers, for a while, which clusters and services did not answer within
 * their budget, so the next checks report them unreachable at once instead
 * of spending the budget again on every request. A check with `refresh`
 * tries again; any answer clears the entry.
 *
 * Kept in this process (the fast path) and in the backend's cache service
 * when given one: with a shared store (Redis), what one replica found out
 * spares the others the wait too. The shared store never delays a check:
 * writes are not waited for, a read that takes longer than
 * SHARED_READ_TIMEOUT_MS counts as "not remembered", and a store that fails
 * is skipped.
 */
export class UnreachableMemory {
  private readonly entries = new Map<string, { until: number; at: Date }>();

  constructor(
    private readonly windowMs: number,
    private readonly shared?: CacheService,
  ) {}

  /** When `key` was last found unreachable, if that is recent enough to trust. */
  async recall(key: string, now = Date.now()): Promise<Date | undefined> {
    if (this.windowMs <= 0) return undefined;
    const entry = this.entries.get(key);
    if (entry) {
      if (entry.until > now) return entry.at;
      this.entries.delete(key);
    }
    const seen = await this.sharedGet(key);
    if (seen === undefined) return undefined;
    const at = new Date(seen);
    if (Number.isNaN(at.getTime()) || at.getTime() + this.windowMs <= now) {
      return undefined;
    }
    this.entries.set(key, { until: at.getTime() + this.windowMs, at });
    return at;
  }

  remember(key: string, now = Date.now()): void {
    if (this.windowMs <= 0) return;
    this.entries.set(key, { until: now + this.windowMs, at: new Date(now) });
    this.sharedDo(cache =>
      cache.set(this.cacheKey(key), new Date(now).toISOString(), {
        ttl: this.windowMs,
      }),
    );
  }

  forget(key: string): void {
    this.entries.delete(key);
    // Another replica may have remembered it: an answer clears it for all.
    this.sharedDo(cache => cache.delete(this.cacheKey(key)));
  }

  /** How the remembered state is worded in a result. */
  describe(at: Date): string {
    return `remembered from ${at.toISOString()}; checked again after ${Math.round(
      this.windowMs / 1000,
    )} s or with refresh`;
  }

  private cacheKey(key: string) {
    return `health:unreachable:${key}`;
  }

  private async sharedGet(key: string): Promise<string | undefined> {
    if (!this.shared) return undefined;
    const slow = AbortSignal.timeout(SHARED_READ_TIMEOUT_MS);
    try {
      return await Promise.race([
        this.shared.get<string>(this.cacheKey(key)),
        new Promise<undefined>(resolve =>
          slow.addEventListener('abort', () => resolve(undefined)),
        ),
      ]);
    } catch {
      return undefined;
    }
  }

  /** A write to the shared store, not waited for; failures are dropped. */
  private sharedDo(action: (cache: CacheService) => Promise<void>) {
    if (!this.shared) return;
    try {
      action(this.shared).catch(() => undefined);
    } catch {
      // The local entry still holds for this replica.
    }
  }
}
