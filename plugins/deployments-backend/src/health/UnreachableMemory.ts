/**
 * Remembers, for a while, which clusters and services did not answer within
 * their budget, so the next checks report them unreachable at once instead
 * of spending the budget again on every request. A check with `refresh`
 * tries again; any answer clears the entry.
 */
export class UnreachableMemory {
  private readonly entries = new Map<string, { until: number; at: Date }>();

  constructor(private readonly windowMs: number) {}

  /** When `key` was last found unreachable, if that is recent enough to trust. */
  recall(key: string, now = Date.now()): Date | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.until <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.at;
  }

  remember(key: string, now = Date.now()) {
    if (this.windowMs <= 0) return;
    this.entries.set(key, { until: now + this.windowMs, at: new Date(now) });
  }

  forget(key: string) {
    this.entries.delete(key);
  }

  /** How the remembered state is worded in a result. */
  describe(at: Date): string {
    return `remembered from ${at.toISOString()}; checked again after ${Math.round(
      this.windowMs / 1000,
    )} s or with refresh`;
  }
}
