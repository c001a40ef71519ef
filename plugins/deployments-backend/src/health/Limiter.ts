/**
 * Bounds how many probes are in flight at once across every entity and
 * environment. A caller whose signal aborts while it waits gives up its place
 * in the queue (its environment's budget is spent) without taking a slot.
 */
export class Limiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new Error(`Limiter needs a limit of at least 1, got ${limit}`);
    }
  }

  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.acquire(signal);
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  private acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) {
      return Promise.reject(signal.reason);
    }
    if (this.active < this.limit) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        grant: () => {
          signal?.removeEventListener('abort', waiter.abort);
          this.active++;
          resolve();
        },
        abort: () => {
          const index = this.waiting.indexOf(waiter.grant);
          if (index >= 0) this.waiting.splice(index, 1);
          reject(signal!.reason);
        },
      };
      signal?.addEventListener('abort', waiter.abort, { once: true });
      this.waiting.push(waiter.grant);
    });
  }

  private release() {
    this.active--;
    this.waiting.shift()?.();
  }
}
