import { ObjectDiff } from '@deployments-portal/backstage-plugin-deployments-common';
import { bounded, clip } from './errors';

const IGNORED_METADATA = new Set([
  'managedFields',
  'resourceVersion',
  'uid',
  'generation',
  'creationTimestamp',
  'selfLink',
]);

function changedPaths(
  before: unknown,
  after: unknown,
  path: string,
  out: string[],
) {
  if (JSON.stringify(before) === JSON.stringify(after)) return;
  if (
    before &&
    after &&
    typeof before === 'object' &&
    typeof after === 'object' &&
    Array.isArray(before) === Array.isArray(after)
  ) {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    for (const key of keys) {
      if (path === 'metadata' && IGNORED_METADATA.has(key)) continue;
      if (
        path === 'metadata.annotations' &&
        key === 'deployment.kubernetes.io/revision'
      )
        continue;
      let child = path ? `${path}.${key}` : key;
      if (Array.isArray(after)) {
        child = `${path}[${key}]`;
      }
      changedPaths(
        (before as Record<string, unknown>)[key],
        (after as Record<string, unknown>)[key],
        child,
        out,
      );
    }
    return;
  }
  out.push(path);
}

/**
 * Compares what a server-side dry run says an object would become with the
 * live object, ignoring status and bookkeeping metadata. Lists the first 20
 * changed fields (`moreFields` counts the rest).
 */
export function diffObject(
  kind: string,
  name: string,
  live: Record<string, unknown> | undefined,
  planned: Record<string, unknown>,
): ObjectDiff {
  if (!live) {
    return { kind, name, change: 'create', fields: [] };
  }
  const fields: string[] = [];
  const { status: _s1, ...liveRest } = live;
  const { status: _s2, ...plannedRest } = planned;
  changedPaths(liveRest, plannedRest, '', fields);
  // The paths name the request's keys (env vars): the first ones, cut to
  // size, and how many more.
  const listed = bounded(fields);
  return {
    kind,
    name,
    change: fields.length ? 'update' : 'unchanged',
    fields: listed.items.map(field => clip(field, 300)),
    ...(listed.more ? { moreFields: listed.more } : {}),
  };
}
