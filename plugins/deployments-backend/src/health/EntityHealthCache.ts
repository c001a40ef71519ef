import { EntityHealth } from '@deployments-portal/backstage-plugin-deployments-common';

const MAX_CACHED_ENTITIES = 1000;

/**
 * Health results per entity for `cacheSeconds` (at most MAX_CACHED_ENTITIES
 * of them), and the checks under way, so concurrent identical requests share
 * one check.
 */
export class EntityHealthCache {
  private readonly cache = new Map<
    string,
    { expires: number; value: EntityHealth }
  >();
  private readonly inFlight = new Map<string, Promise<EntityHealth>>();

  constructor(private readonly cacheSeconds: number) {}

  /**
   * The cached result for `key` (unless `refresh`), else the check of `key`
   * under way, else a new `check`, whose result is cached.
   */
  async getOrCheck(
    key: string,
    refresh: boolean,
    check: () => Promise<EntityHealth>,
  ): Promise<EntityHealth> {
    if (!refresh) {
      const cached = this.cache.get(key);
      if (cached && cached.expires > Date.now()) {
        return cached.value;
      }
    }
    // A check already under way is as fresh as a new one: share it (a
    // refresh shares only another refresh, which retries everything too).
    const flightKey = `${refresh ? 'refresh' : 'check'}:${key}`;
    let pending = this.inFlight.get(flightKey);
    if (!pending) {
      pending = check()
        .then(value => {
          this.remember(key, value);
          return value;
        })
        .finally(() => this.inFlight.delete(flightKey));
      this.inFlight.set(flightKey, pending);
    }
    return pending;
  }

  private remember(key: string, value: EntityHealth) {
    if (this.cacheSeconds <= 0) return;
    const now = Date.now();
    this.cache.delete(key);
    if (this.cache.size >= MAX_CACHED_ENTITIES) {
      for (const [k, entry] of this.cache) {
        if (entry.expires <= now || this.cache.size >= MAX_CACHED_ENTITIES) {
          this.cache.delete(k);
        }
      }
    }
    this.cache.set(key, {
      expires: now + this.cacheSeconds * 1000,
      value,
    });
  }
}
