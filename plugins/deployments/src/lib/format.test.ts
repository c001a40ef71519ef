import { ResponseError } from '@backstage/errors';
import {
  errorMessage,
  formatDuration,
  formatPercent,
  formatRelativeTime,
  shortDigest,
  shortImageReference,
  shortRef,
  unreachable,
} from './format';

describe('formatDuration', () => {
  it.each([
    [0, '0 s'],
    [44.6, '45 s'],
    [60, '1 min'],
    [185, '3 min 5 s'],
    [3600, '1 h'],
    [7800, '2 h 10 min'],
    [273600, '3 d 4 h'],
    [undefined, '—'],
    [-1, '—'],
  ])('%p seconds → %p', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});

describe('formatPercent', () => {
  it.each([
    [1, '100 %'],
    [0.975, '97.5 %'],
    [2 / 3, '66.7 %'],
    [0, '0 %'],
    [undefined, '—'],
  ])('%p → %p', (ratio, text) => {
    expect(formatPercent(ratio)).toBe(text);
  });
});

describe('small formatters', () => {
  it('shortens digests and refs', () => {
    expect(shortDigest(`sha256:${'ab'.repeat(32)}`)).toBe(
      'sha256:abababababab',
    );
    expect(shortRef('user:default/jane.doe')).toBe('jane.doe');
    expect(shortRef('group:ops/team-payments')).toBe('ops/team-payments');
    expect(shortRef('someone')).toBe('someone');
  });

  it('does not double the unreachable prefix', () => {
    expect(unreachable('connect ECONNREFUSED')).toBe(
      'unreachable: connect ECONNREFUSED',
    );
    expect(unreachable('unreachable: timed out after 5 s')).toBe(
      'unreachable: timed out after 5 s',
    );
  });
});

describe('errorMessage', () => {
  it("uses the backend's message and lists violations", async () => {
    const error = await ResponseError.fromResponse(
      new Response(
        JSON.stringify({
          error: {
            name: 'InputError',
            message: 'Deployment blocked by policy',
            violations: [{ message: 'production needs an image digest' }],
          },
          response: { statusCode: 400 },
        }),
        { status: 400, headers: { 'content-type': 'application/json' } },
      ),
    );
    expect(errorMessage(error)).toBe(
      'Deployment blocked by policy (production needs an image digest)',
    );
  });

  it('falls back to the error message', () => {
    expect(errorMessage(new Error('Failed to fetch'))).toBe('Failed to fetch');
  });
});

describe('formatRelativeTime', () => {
  const now = Date.parse('2026-12-02T12:00:00Z');
  const ago = (seconds: number) => new Date(now - seconds * 1000).toISOString();
  it.each([
    [ago(10), 'just now'],
    [ago(-10), 'in under a minute'],
    [ago(50), '1 min ago'],
    [ago(5 * 60 + 10), '5 min ago'],
    [ago(59 * 60), '59 min ago'],
    [ago(3 * 3600 + 1200), '3 h ago'],
    [ago(2 * 86400 + 100), '2 d ago'],
    [ago(-20 * 60), 'in 20 min'],
    [ago(-2 * 3600), 'in 2 h'],
    [undefined, '—'],
    ['not a time', 'not a time'],
  ])('%p → %p', (iso, text) => {
    expect(formatRelativeTime(iso, now)).toBe(text);
  });

  it('gives the date alone for what is older than a week', () => {
    const old = ago(30 * 86400);
    expect(formatRelativeTime(old, now)).toBe(
      new Date(old).toLocaleDateString(),
    );
  });
});

describe('shortImageReference', () => {
  const hex =
    'aae600c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f809';
  it.each([
    [`ghcr.io/acme/api@sha256:${hex}`, 'ghcr.io/acme/api@sha256:aae600c1d2e3…'],
    [
      `localhost:5000/acme/api:1.2@sha256:${hex}`,
      'localhost:5000/acme/api:1.2@sha256:aae600c1d2e3…',
    ],
    ['ghcr.io/acme/api:1.4.2', 'ghcr.io/acme/api:1.4.2'],
    ['localhost:5000/api:latest', 'localhost:5000/api:latest'],
  ])('%p → %p', (reference, text) => {
    expect(shortImageReference(reference)).toBe(text);
  });
});
