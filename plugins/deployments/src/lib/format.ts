import { ResponseError } from '@backstage/errors';

/** Shown where a figure has no value (no deployments, never recovered, …). */
export const NO_VALUE = '—';

/**
 * A duration in seconds, as people say it: `45 s`, `3 min 5 s`, `2 h 10 min`,
 * `3 d 4 h`. Two units at most; the smaller one is left out when zero.
 */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) {
    return NO_VALUE;
  }
  const total = Math.round(seconds);
  if (total < 60) {
    return `${total} s`;
  }
  const units: Array<[string, number]> = [
    ['d', 86400],
    ['h', 3600],
    ['min', 60],
    ['s', 1],
  ];
  const index = units.findIndex(([, size]) => total >= size);
  const [bigName, bigSize] = units[index];
  const [smallName, smallSize] = units[index + 1];
  const big = Math.floor(total / bigSize);
  const small = Math.floor((total % bigSize) / smallSize);
  return small === 0
    ? `${big} ${bigName}`
    : `${big} ${bigName} ${small} ${smallName}`;
}

/** A ratio 0..1 as a percentage with at most one decimal: `97.5 %`. */
export function formatPercent(ratio: number | undefined): string {
  if (ratio === undefined || !Number.isFinite(ratio)) {
    return NO_VALUE;
  }
  const percent = Math.round(ratio * 1000) / 10;
  return `${percent} %`;
}

/** A timestamp in the reader's locale, or the raw value when unparsable. */
export function formatDateTime(iso: string | undefined): string {
  if (!iso) {
    return NO_VALUE;
  }
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

/**
 * A timestamp relative to `now`, as people say it: `just now`, `5 min ago`,
 * `3 h ago`, `2 d ago`, `in 20 min`; older than a week: the date alone.
 * Unparsable values come back as they are.
 */
export function formatRelativeTime(
  iso: string | undefined,
  now: number = Date.now(),
): string {
  if (!iso) {
    return NO_VALUE;
  }
  const at = Date.parse(iso);
  if (Number.isNaN(at)) {
    return iso;
  }
  const seconds = Math.round((now - at) / 1000);
  const magnitude = Math.abs(seconds);
  if (magnitude < 45) {
    return seconds >= 0 ? 'just now' : 'in under a minute';
  }
  if (magnitude >= 7 * 86400) {
    return new Date(at).toLocaleDateString();
  }
  let unit = 'min';
  let size = 60;
  if (magnitude >= 86400) {
    [unit, size] = ['d', 86400];
  } else if (magnitude >= 3600) {
    [unit, size] = ['h', 3600];
  }
  const count = Math.max(1, Math.floor(magnitude / size));
  return seconds >= 0 ? `${count} ${unit} ago` : `in ${count} ${unit}`;
}

/**
 * An image reference made short enough to read: a digest cut to 12 hex
 * digits and an ellipsis (`ghcr.io/acme/api@sha256:aae600c1d2e3…`), a tag as
 * it is (`ghcr.io/acme/api:1.4.2`).
 */
export function shortImageReference(reference: string): string {
  const match = /^(.*@[a-z0-9]+:)([0-9a-f]{12})[0-9a-f]+$/i.exec(reference);
  return match ? `${match[1]}${match[2]}…` : reference;
}

/** `sha256:0123456789ab…` → `sha256:0123456789ab` (12 hex digits). */
export function shortDigest(digest: string): string {
  const [algorithm, hex] = digest.split(':');
  return hex ? `${algorithm}:${hex.slice(0, 12)}` : digest.slice(0, 19);
}

/** `user:default/jane.doe` → `jane.doe`; other strings stay as they are. */
export function shortRef(ref: string): string {
  const match = /^[^:]+:(?:default\/)?(.+)$/.exec(ref);
  return match ? match[1] : ref;
}

/**
 * The message to show for a failed call: the backend's own message (with
 * its policy violations and field errors), not the generic HTTP status line.
 */
export function errorMessage(error: unknown): string {
  if (ResponseError.is(error)) {
    const remote = error.body?.error as
      | {
          message?: string;
          violations?: Array<{ message?: string }>;
          errors?: Array<{ field?: string; message?: string }>;
        }
      | undefined;
    const details = [
      ...(remote?.violations ?? []).map(v => v.message),
      ...(remote?.errors ?? []).map(e =>
        e.field ? `${e.field}: ${e.message}` : e.message,
      ),
    ].filter((m): m is string => Boolean(m));
    const message = remote?.message ?? error.message;
    return details.length > 0 ? `${message} (${details.join('; ')})` : message;
  }
  return error instanceof Error ? error.message : String(error);
}

/** "unreachable: <reason>", without doubling a prefix the backend already set. */
export function unreachable(reason: string): string {
  return /^unreachable\b/i.test(reason) ? reason : `unreachable: ${reason}`;
}
