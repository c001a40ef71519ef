import { KubernetesObject } from '@kubernetes/client-node';
import {
  DriftedField,
  FIELD_MANAGER,
  RenderedManifest,
} from '@deployments-portal/backstage-plugin-deployments-common';

/** One step of a field path: an object key, a list item by name, or by position. */
type Step =
  | { key: string }
  | { name: string; keyField: string }
  | { index: number };

type ManagedFieldsEntry = {
  manager?: string;
  operation?: string;
  time?: string | Date;
  fieldsV1?: unknown;
};

/** Longest value shown in a drift report. */
const MAX_VALUE = 120;

/**
 * The fields of `live` that differ from what the portal applied (`applied`,
 * a rendered manifest), and who changed them according to the object's
 * managedFields. Only what the portal applied is compared: fields the API
 * server or controllers add (defaults, status) are not drift. A missing
 * object is one `removed` entry. Plain configuration values (ConfigMap
 * data, env values) are reported without their values. Fields others add
 * beside the portal's (extra keys, env variables, injected sidecars) are
 * not drift: server-side apply leaves them to their own managers, and a
 * re-apply could not take them away either.
 */
export function driftOf(
  applied: RenderedManifest,
  live: KubernetesObject | undefined,
): DriftedField[] {
  const object = `${applied.kind}/${applied.metadata?.name}`;
  if (!live) return [{ object, change: 'removed' }];
  const managed = (live.metadata?.managedFields ?? []) as ManagedFieldsEntry[];
  const found: DriftedField[] = [];
  const secretive = applied.kind === 'ConfigMap';
  const visit = (want: unknown, have: unknown, path: Step[]) => {
    if (isObject(want)) {
      if (path.length === 1 && 'key' in path[0] && path[0].key === 'metadata') {
        // name and namespace are how the object was found.
        for (const key of ['labels', 'annotations']) {
          if (key in want) {
            visit(want[key], objectAt(have, key), [...path, { key }]);
          }
        }
        return;
      }
      for (const [key, value] of Object.entries(want)) {
        visit(value, objectAt(have, key), [...path, { key }]);
      }
      return;
    }
    if (Array.isArray(want)) {
      const haveList = Array.isArray(have) ? have : [];
      const keyField = listKey(want);
      want.forEach((item, index) => {
        if (keyField) {
          const name = (item as Record<string, unknown>)[keyField] as string;
          const match = haveList.find(h => isObject(h) && h[keyField] === name);
          visit(item, match, [...path, { name, keyField }]);
        } else {
          visit(item, haveList[index], [...path, { index }]);
        }
      });
      return;
    }
    if (sameValue(want, have)) return;
    const hidden =
      (secretive && pathText(path).startsWith('data')) ||
      /\.env\[[^\]]*\]\.value$/.test(pathText(path));
    const owner = ownerOf(managed, path);
    found.push({
      object,
      path: pathText(path),
      change: have === undefined ? 'removed' : 'changed',
      ...(hidden
        ? {}
        : {
            applied: shown(want),
            ...(have === undefined ? {} : { live: shown(have) }),
          }),
      ...(owner?.manager ? { manager: owner.manager } : {}),
      ...(owner?.time ? { changedAt: new Date(owner.time).toISOString() } : {}),
    });
  };
  const { apiVersion: _a, kind: _k, ...rest } = applied;
  visit(rest, live, []);
  return found;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function objectAt(value: unknown, key: string): unknown {
  return isObject(value) ? value[key] : undefined;
}

/** Lists of named items (containers, ports, env) are matched by name, as Kubernetes merges them. */
function listKey(items: unknown[]): string | undefined {
  if (items.length === 0) return undefined;
  for (const keyField of ['name']) {
    if (
      items.every(item => isObject(item) && typeof item[keyField] === 'string')
    ) {
      return keyField;
    }
  }
  return undefined;
}

/** Equal as the API server stores them: `0.5` CPU is `500m`, `1024Mi` is `1Gi`. */
function sameValue(want: unknown, have: unknown): boolean {
  if (want === have) return true;
  if (want === undefined || have === undefined) return false;
  if (String(want) === String(have)) return true;
  const a = quantity(want);
  const b = quantity(have);
  return a !== undefined && b !== undefined && Math.abs(a - b) < 1e-9;
}

const SUFFIXES: Record<string, number> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

function quantity(value: unknown): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(String(value));
  return match ? Number(match[1]) * SUFFIXES[match[2] ?? ''] : undefined;
}

function pathText(path: Step[]): string {
  let text = '';
  for (const step of path) {
    if ('key' in step) text += text ? `.${step.key}` : step.key;
    else if ('name' in step) text += `[${step.name}]`;
    else text += `[${step.index}]`;
  }
  return text;
}

function shown(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}

/**
 * Who owns the field at `path` now, from managedFields (fieldsV1: `f:key`
 * for object keys, `k:{"name":…}` for list items by key). A field nobody
 * owns (removed) is put on the latest writer other than the portal.
 */
function ownerOf(
  entries: ManagedFieldsEntry[],
  path: Step[],
): ManagedFieldsEntry | undefined {
  const owners = entries.filter(entry => owns(entry.fieldsV1, path));
  const other = owners.find(entry => entry.manager !== FIELD_MANAGER);
  if (other) return other;
  if (owners.length > 0) return owners[0];
  return [...entries]
    .filter(entry => entry.manager !== FIELD_MANAGER)
    .sort(
      (a, b) =>
        new Date(b.time ?? 0).getTime() - new Date(a.time ?? 0).getTime(),
    )[0];
}

function owns(fields: unknown, path: Step[]): boolean {
  let node = fields;
  for (const step of path) {
    if (!isObject(node)) return false;
    if ('key' in step) {
      node = node[`f:${step.key}`];
    } else if ('name' in step) {
      const entry = Object.entries(node).find(([key]) => {
        if (!key.startsWith('k:')) return false;
        try {
          const parsed = JSON.parse(key.slice(2));
          return String(parsed[step.keyField]) === String(step.name);
        } catch {
          return false;
        }
      });
      node = entry?.[1];
    } else {
      return false;
    }
    if (node === undefined) return false;
  }
  return true;
}
