import { startWebhookServer } from '../__testUtils__/webhookServer';
import { backoffMs, deliverWebhook, parseRetryAfter } from './deliverWebhook';
import { DeliverySettings } from './readNotificationSettings';

// Delivery against real local HTTP servers: what is retried, what is final,
// and that the whole delivery stays within its time limit.
const fast: DeliverySettings = {
  attemptTimeoutMs: 500,
  maxDurationMs: 5000,
  initialBackoffMs: 50,
  maxBackoffMs: 200,
};

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP-dates, and nothing else', () => {
    const now = Date.parse('2026-12-03T10:00:00Z');
    expect(parseRetryAfter('1', now)).toBe(1000);
    expect(parseRetryAfter(' 120 ', now)).toBe(120_000);
    expect(parseRetryAfter('Thu, 03 Dec 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Thu, 03 Dec 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});

describe('backoffMs', () => {
  it('doubles per retry up to the maximum, with jitter in the upper half', () => {
    const settings = { initialBackoffMs: 1000, maxBackoffMs: 30_000 };
    expect([1, 2, 3, 4].map(n => backoffMs(n, settings, () => 0))).toEqual([
      500, 1000, 2000, 4000,
    ]);
    expect([1, 2, 3, 4].map(n => backoffMs(n, settings, () => 1))).toEqual([
      1000, 2000, 4000, 8000,
    ]);
    expect(backoffMs(40, settings, () => 1)).toBe(30_000);
    expect(backoffMs(40, settings, () => 0)).toBe(15_000);
  });
});

describe('deliverWebhook', () => {
  it('retries a 503 and a 429 (after its Retry-After) and delivers once', async () => {
    const hook = await startWebhookServer([
      { status: 503 },
      { status: 429, headers: { 'Retry-After': '1' } },
      { status: 200 },
    ]);
    try {
      const result = await deliverWebhook({
        url: hook.url,
        body: { text: 'hello' },
        settings: fast,
      });
      expect(result).toEqual({ delivered: true, attempts: 3 });
      expect(hook.requests.map(r => r.status)).toEqual([503, 429, 200]);
      expect(hook.delivered()).toEqual([{ text: 'hello' }]);
      expect(hook.requests[0].contentType).toBe('application/json');
      // Retry-After: 1 was honoured (not the 50-200 ms backoff).
      expect(hook.requests[2].at - hook.requests[1].at).toBeGreaterThanOrEqual(
        950,
      );
    } finally {
      await hook.close();
    }
  });

  it('takes a 4xx other than 429 as final: one attempt', async () => {
    const hook = await startWebhookServer([{ status: 400 }, { status: 200 }]);
    try {
      const result = await deliverWebhook({
        url: hook.url,
        body: {},
        settings: fast,
      });
      expect(result).toEqual({
        delivered: false,
        attempts: 1,
        reason: expect.stringMatching(/^HTTP 400 Bad Request: .*not retried/),
      });
      expect(hook.requests).toHaveLength(1);
    } finally {
      await hook.close();
    }
  });

  it('gives up on a webhook that always fails within the time limit, never naming its URL', async () => {
    const hook = await startWebhookServer([{ status: 500 }]);
    try {
      const started = Date.now();
      const result = await deliverWebhook({
        url: hook.url,
        body: {},
        settings: { ...fast, maxDurationMs: 1000 },
      });
      expect(Date.now() - started).toBeLessThan(1500);
      expect(result.delivered).toBe(false);
      expect(hook.requests.length).toBeGreaterThanOrEqual(3);
      expect(result.attempts).toBe(hook.requests.length);
      expect(JSON.stringify(result)).toMatch(
        /HTTP 500 Internal Server Error; gave up after \d+ attempts in \d+ s/,
      );
      expect(JSON.stringify(result)).not.toContain('s3cr3t');
      expect(JSON.stringify(result)).not.toContain('127.0.0.1');
    } finally {
      await hook.close();
    }
  });

  it('times out an attempt that hangs and retries it', async () => {
    const hook = await startWebhookServer(['hang', { status: 204 }]);
    try {
      const result = await deliverWebhook({
        url: hook.url,
        body: {},
        settings: { ...fast, attemptTimeoutMs: 300 },
      });
      expect(result).toEqual({ delivered: true, attempts: 2 });
    } finally {
      await hook.close();
    }
  });

  it('gives up at once when Retry-After asks for more than the time left', async () => {
    const hook = await startWebhookServer([
      { status: 429, headers: { 'Retry-After': '3600' } },
    ]);
    try {
      const result = await deliverWebhook({
        url: hook.url,
        body: {},
        settings: fast,
      });
      expect(result).toEqual({
        delivered: false,
        attempts: 1,
        reason:
          'HTTP 429 Too Many Requests; gave up after 1 attempt in 0 s (the webhook asked to wait 3600 s, beyond the 5 s delivery limit)',
      });
    } finally {
      await hook.close();
    }
  });

  it('retries a refused connection and names only its error code', async () => {
    const hook = await startWebhookServer([{ status: 204 }]);
    await hook.close();
    const result = await deliverWebhook({
      url: hook.url,
      body: {},
      settings: { ...fast, maxDurationMs: 400 },
    });
    expect(result.delivered).toBe(false);
    expect(result.attempts).toBeGreaterThan(1);
    expect(JSON.stringify(result)).toContain(
      'connection failed (ECONNREFUSED)',
    );
    expect(JSON.stringify(result)).not.toContain('s3cr3t');
  });

  it('stops when told to (shutdown), as a failure', async () => {
    const hook = await startWebhookServer([{ status: 503 }]);
    try {
      const started = Date.now();
      const stop = new AbortController();
      setTimeout(() => stop.abort(), 300);
      const result = await deliverWebhook({
        url: hook.url,
        body: {},
        settings: {
          ...fast,
          maxDurationMs: 60_000,
          initialBackoffMs: 10_000,
          maxBackoffMs: 10_000,
        },
        signal: stop.signal,
      });
      expect(result.delivered).toBe(false);
      expect(JSON.stringify(result)).toContain('the backend shut down');
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await hook.close();
    }
  });
});
