import { DeliverySettings } from './readNotificationSettings';

/** How one message's delivery ended. */
export type DeliveryResult =
  | { delivered: true; attempts: number }
  | {
      delivered: false;
      attempts: number;
      /** Why, without the URL: the status or network error, and what gave up. */
      reason: string;
    };

/**
 * Seconds (`120`) or an HTTP-date (`Wed, 21 Oct 2026 07:28:00 GMT`) of a
 * Retry-After header as milliseconds from `now`; undefined when absent or
 * unreadable (then the backoff applies).
 */
export function parseRetryAfter(
  value: string | null | undefined,
  now = Date.now(),
): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP-date names its day and month; Date.parse alone takes '-5' as a year.
  if (!/^[A-Za-z]{3},? /.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/**
 * The wait before retry `retry` (1 for the first): exponential from
 * `initialBackoffMs`, capped at `maxBackoffMs`, with "equal jitter" (half
 * fixed, half random) so that webhooks failing together do not retry in
 * lockstep, yet every wait grows.
 */
export function backoffMs(
  retry: number,
  settings: Pick<DeliverySettings, 'initialBackoffMs' | 'maxBackoffMs'>,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(
    settings.maxBackoffMs,
    settings.initialBackoffMs * 2 ** Math.min(retry - 1, 30),
  );
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** 429 and 5xx may pass; any other 4xx will not, however often it is sent. */
function isRetryable(status: number): boolean {
  return status === 429 || status >= 500;
}

/** How one attempt went. */
export type AttemptResult =
  | { outcome: 'delivered' }
  | { outcome: 'refused'; reason: string }
  | { outcome: 'failed'; reason: string; retryAfterMs?: number };

/**
 * One POST of `body` (JSON) to a webhook within `timeoutMs`: delivered
 * (2xx), refused for good (a 4xx other than 429) or failed and worth
 * retrying (timeout, network error, 429, 5xx; with a 429's or 503's
 * Retry-After). Never throws; reasons never contain the URL.
 */
export async function attemptDelivery(options: {
  url: string;
  body: string;
  timeoutMs: number;
  fetch?: typeof fetch;
  signal?: AbortSignal;
}): Promise<AttemptResult> {
  const { signal, timeoutMs } = options;
  const fetchFn = options.fetch ?? fetch;
  try {
    const response = await fetchFn(options.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: options.body,
      redirect: 'error',
      signal: signal
        ? AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)])
        : AbortSignal.timeout(timeoutMs),
    });
    // Read the answer so the connection is free again; its text is not
    // reported (a chat's error page may echo the request).
    await response.arrayBuffer().catch(() => undefined);
    if (response.ok) return { outcome: 'delivered' };
    const reason = `HTTP ${response.status}${
      response.statusText ? ` ${response.statusText}` : ''
    }`;
    if (!isRetryable(response.status)) {
      return {
        outcome: 'refused',
        reason: `${reason}: the webhook refused the message (not retried; check its format and that the webhook still exists)`,
      };
    }
    const retryAfterMs =
      response.status === 429 || response.status === 503
        ? parseRetryAfter(response.headers.get('retry-after'))
        : undefined;
    return {
      outcome: 'failed',
      reason,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    };
  } catch (error) {
    return { outcome: 'failed', reason: describeFetchError(error, timeoutMs) };
  }
}

/**
 * After failed attempt number `attempts`: when to try again (the
 * Retry-After or the backoff), or why not (it would not fit before
 * `deadlineMs`, when delivery began `startedMs`).
 */
export function nextAttempt(options: {
  attempts: number;
  reason: string;
  retryAfterMs?: number;
  settings: DeliverySettings;
  startedMs: number;
  deadlineMs: number;
  nowMs?: number;
  random?: () => number;
}): { retryAtMs: number } | { giveUp: string } {
  const { attempts, reason, retryAfterMs, settings } = options;
  const now = options.nowMs ?? Date.now();
  const wait = retryAfterMs ?? backoffMs(attempts, settings, options.random);
  if (now + wait < options.deadlineMs) return { retryAtMs: now + wait };
  const spent = Math.round((now - options.startedMs) / 1000);
  return {
    giveUp: `${reason}; gave up after ${attempts} attempt${
      attempts === 1 ? '' : 's'
    } in ${spent} s${
      retryAfterMs !== undefined
        ? ` (the webhook asked to wait ${Math.ceil(
            retryAfterMs / 1000,
          )} s, beyond the ${Math.round(
            settings.maxDurationMs / 1000,
          )} s delivery limit)`
        : ''
    }`,
  };
}

/**
 * POSTs `body` as JSON to a webhook until it takes it (2xx), refuses it for
 * good (a 4xx other than 429), or `maxDurationMs` is spent, waiting in this
 * process between attempts (see attemptDelivery and nextAttempt). Never
 * throws; `signal` stops it (as a failure) e.g. on shutdown.
 */
export async function deliverWebhook(options: {
  url: string;
  body: unknown;
  settings: DeliverySettings;
  fetch?: typeof fetch;
  random?: () => number;
  signal?: AbortSignal;
}): Promise<DeliveryResult> {
  const { url, settings, signal } = options;
  const body = JSON.stringify(options.body);
  const startedMs = Date.now();
  const deadlineMs = startedMs + settings.maxDurationMs;
  for (let attempt = 1; ; attempt++) {
    const result = await attemptDelivery({
      url,
      body,
      timeoutMs: Math.max(
        1,
        Math.min(settings.attemptTimeoutMs, deadlineMs - Date.now()),
      ),
      fetch: options.fetch,
      signal,
    });
    if (result.outcome === 'delivered') {
      return { delivered: true, attempts: attempt };
    }
    if (result.outcome === 'refused') {
      return { delivered: false, attempts: attempt, reason: result.reason };
    }
    if (signal?.aborted) {
      return {
        delivered: false,
        attempts: attempt,
        reason: `${
          result.reason
        }; stopped (the backend shut down) after ${attempt} attempt${
          attempt === 1 ? '' : 's'
        }`,
      };
    }
    const next = nextAttempt({
      attempts: attempt,
      reason: result.reason,
      retryAfterMs: result.retryAfterMs,
      settings,
      startedMs,
      deadlineMs,
      random: options.random,
    });
    if ('giveUp' in next) {
      return { delivered: false, attempts: attempt, reason: next.giveUp };
    }
    await sleep(next.retryAtMs - Date.now(), signal);
  }
}

function describeFetchError(error: unknown, attemptMs: number): string {
  const name = (error as Error)?.name;
  if (name === 'TimeoutError') {
    return `no answer within ${Math.round(attemptMs / 100) / 10} s`;
  }
  if (name === 'AbortError') return 'aborted';
  // undici's "fetch failed" hides the cause; its code (ECONNREFUSED,
  // ENOTFOUND, …) says enough, its message would name host and port.
  const code = ((error as { cause?: { code?: unknown } })?.cause?.code ??
    (error as { code?: unknown })?.code) as string | undefined;
  return code ? `connection failed (${code})` : 'connection failed';
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise(resolve => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
