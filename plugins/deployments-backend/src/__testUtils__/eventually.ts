/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise(r => setTimeout(r, ms));
}

/**
 * The first truthy answer of `read`, asked every 100 ms; fails naming
 * `what` when none came within `timeoutMs`. For what a scheduled task
 * makes true on its own clock.
 */
export async function until<T>(
  what: string,
  read: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await read();
    if (value) return value;
    await sleep(100);
  }
  throw new Error(`never: ${what}`);
}
