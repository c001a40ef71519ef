import { ResponseError } from '@backstage/errors';
import {
  errorMessage,
  formatDuration,
  formatPercent,
  shortDigest,
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
