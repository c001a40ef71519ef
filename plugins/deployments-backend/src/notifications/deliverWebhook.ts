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

/**
 * POSTs `body` as JSON to a webhook until it takes it (2xx), refuses it for
 * good (a 4xx other than 429), or `maxDurationMs` is spent. Timeouts,
 * network errors, 429 and 5xx are retried with exponential backoff and
 * jitter; a 429's or 503's Retry-After (seconds or HTTP-date) is honoured
 * when it fits into the time left. Never throws; `signal` stops it (as a
 * failure) e.g. on shutdown. Reasons never contain the URL.
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
  const fetchFn = options.fetch ?? fetch;
  const body = JSON.stringify(options.body);
  const started = Date.now();
  const deadline = started + settings.maxDurationMs;
  for (let attempt = 1; ; attempt++) {
    let reason: string;
    let retryAfterMs: number | undefined;
    const attemptMs = Math.max(
      1,
      Math.min(settings.attemptTimeoutMs, deadline - Date.now()),
    );
    try {
      const response = await fetchFn(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body,
        redirect: 'error',
        signal: signal
          ? AbortSignal.any([signal, AbortSignal.timeout(attemptMs)])
          : AbortSignal.timeout(attemptMs),
      });
      // Read the answer so the connection is free again; its text is not
      // reported (a chat's error page may echo the request).
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) return { delivered: true, attempts: attempt };
      reason = `HTTP ${response.status}${
        response.statusText ? ` ${response.statusText}` : ''
      }`;
      if (!isRetryable(response.status)) {
        return {
          delivered: false,
          attempts: attempt,
          reason: `${reason}: the webhook refused the message (not retried; check its format and that the webhook still exists)`,
        };
      }
      if (response.status === 429 || response.status === 503) {
        retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
      }
    } catch (error) {
      reason = describeFetchError(error, attemptMs);
    }
    if (signal?.aborted) {
      return {
        delivered: false,
        attempts: attempt,
        reason: `${reason}; stopped (the backend shut down) after ${attempt} attempt${
          attempt === 1 ? '' : 's'
        }`,
      };
    }
    const wait = retryAfterMs ?? backoffMs(attempt, settings, options.random);
    const left = deadline - Date.now();
    if (wait >= left) {
      const spent = Math.round((Date.now() - started) / 1000);
      return {
        delivered: false,
        attempts: attempt,
        reason: `${reason}; gave up after ${attempt} attempt${
          attempt === 1 ? '' : 's'
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
    await sleep(wait, signal);
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
