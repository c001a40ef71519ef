import { CacheService, LoggerService } from '@backstage/backend-plugin-api';
import { EntityHealth } from '@deployments-portal/backstage-plugin-deployments-common';

/** A cache read slower than this counts as a miss (a store being reconnected). */
const READ_TIMEOUT_MS = 100;

/**
 * Health results per entity for `cacheSeconds`, kept in the backend's cache
 * service (`backend.cache`: process memory by default, Redis or another
 * shared store with several replicas, so a result one replica found serves
 * the others), and the checks under way in this process, so concurrent
 * identical requests share one check. The cache never delays an answer:
 * a read slower than READ_TIMEOUT_MS is a miss, writes are not waited for,
 * and a cache that fails is skipped.
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
        .then(value => {
          this.remember(key, value);
          return value;
        })
        .finally(() => this.inFlight.delete(flightKey));
      this.inFlight.set(flightKey, pending);
    }
    return pending;
  }

  private async read(key: string): Promise<EntityHealth | undefined> {
    const slow = AbortSignal.timeout(READ_TIMEOUT_MS);
    try {
      return await Promise.race([
        this.cache.get<EntityHealth>(`health:entity:${key}`),
        new Promise<undefined>(resolve =>
          slow.addEventListener('abort', () => resolve(undefined)),
        ),
      ]);
    } catch (error) {
      this.logger?.warn(
        `Health cache unavailable, checking anew: ${(error as Error).message}`,
      );
      return undefined;
    }
  }

  private remember(key: string, value: EntityHealth) {
    if (this.cacheSeconds <= 0) return;
    const failed = (error: unknown) =>
      this.logger?.warn(
        `Health cache unavailable, result not kept: ${
          (error as Error).message
        }`,
      );
    try {
      this.cache
        .set(`health:entity:${key}`, value, { ttl: this.cacheSeconds * 1000 })
        .catch(failed);
    } catch (error) {
      failed(error);
    }
  }
}
