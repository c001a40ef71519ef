import { CacheService, LoggerService } from '@backstage/backend-plugin-api';
import { EntityHealth } from '@deployments-portal/backstage-plugin-deployments-common';

/**
 * Health results per entity for `cacheSeconds`, kept in the backend's cache
 * service (`backend.cache`: process memory by default, Redis or another
 * shared store with several replicas, so a result one replica found serves
 * the others), and the checks under way in this process, so concurrent
 * identical requests share one check. A cache that fails is skipped, never
 * a reason for a failed answer.
 */
export class EntityHealthCache {
  private readonly inFlight = new Map<string, Promise<EntityHealth>>();

  constructor(
    private readonly cache: CacheService,
    private readonly cacheSeconds: number,
    private readonly logger?: LoggerService,
  ) {}

  /**
   * The cached result for `key` (unless `refresh`), else the check of `key`
   * under way, else a new `check`, whose result is cached.
   */
  async getOrCheck(
    key: string,
    refresh: boolean,
    check: () => Promise<EntityHealth>,
  ): Promise<EntityHealth> {
    if (!refresh && this.cacheSeconds > 0) {
      const cached = await this.read(key);
      if (cached) {
        return cached;
      }
    }
    // A check already under way is as fresh as a new one: share it (a
    // refresh shares only another refresh, which retries everything too).
    const flightKey = `${refresh ? 'refresh' : 'check'}:${key}`;
    let pending = this.inFlight.get(flightKey);
    if (!pending) {
      pending = check()
        .then(async value => {
          await this.remember(key, value);
          return value;
        })
        .finally(() => this.inFlight.delete(flightKey));
      this.inFlight.set(flightKey, pending);
    }
    return pending;
  }

  private async read(key: string): Promise<EntityHealth | undefined> {
    try {
      return await this.cache.get<EntityHealth>(`health:entity:${key}`);
    } catch (error) {
      this.logger?.warn(
        `Health cache unavailable, checking anew: ${(error as Error).message}`,
      );
      return undefined;
    }
  }

  private async remember(key: string, value: EntityHealth) {
    if (this.cacheSeconds <= 0) return;
    try {
      await this.cache.set(`health:entity:${key}`, value, {
        ttl: this.cacheSeconds * 1000,
      });
    } catch (error) {
      this.logger?.warn(
        `Health cache unavailable, result not kept: ${
          (error as Error).message
        }`,
      );
    }
  }
}
