import { DatabaseService } from '@backstage/backend-plugin-api';
import {
  DeploymentDrift,
  DeploymentKey,
  DriftedField,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { createHash } from 'node:crypto';
import { Knex } from 'knex';
import { migratedClient } from './migrate';
import { iso } from './recordRows';

const TABLE = 'deployment_drift';
/** Fields stored (and shown) per drifted deployment; the rest are counted. */
export const MAX_DRIFTED_FIELDS = 20;

type Row = {
  environment: string;
  namespace: string;
  name: string;
  entity_ref: string;
  revision: number;
  fields: string;
  more_fields: number;
  signature: string;
  detected_at: Date | string | number;
  checked_at: Date | string | number;
};

/** A drifted deployment as stored. */
export type StoredDrift = DeploymentKey &
  DeploymentDrift & { entityRef: string };

/**
 * The drift the scheduled check found, one row per drifted deployment:
 * kept (with when it was first seen) while the drift stays the same,
 * replaced when other fields drift, removed when it is gone.
 */
export class DriftStore {
  static async create(database: DatabaseService): Promise<DriftStore> {
    return new DriftStore(await migratedClient(database));
  }

  private constructor(private readonly knex: Knex) {}

  /**
   * Records what a check found for one deployment. `announce` is true when
   * this drift is new (not seen, or other fields than last time): the
   * owners hear of it once.
   */
  async save(
    key: DeploymentKey,
    entry: { entityRef: string; revision: number; fields: DriftedField[] },
    now = new Date(),
  ): Promise<{ drift: StoredDrift; announce: boolean }> {
    const signature = signatureOf(entry.revision, entry.fields);
    const where = keyOf(key);
    return this.knex.transaction(async tx => {
      const existing = await tx<Row>(TABLE).where(where).first();
      const row: Row = {
        ...where,
        entity_ref: entry.entityRef,
        revision: entry.revision,
        fields: JSON.stringify(entry.fields.slice(0, MAX_DRIFTED_FIELDS)),
        more_fields: Math.max(0, entry.fields.length - MAX_DRIFTED_FIELDS),
        signature,
        detected_at:
          existing && existing.signature === signature
            ? existing.detected_at
            : now,
        checked_at: now,
      };
      if (existing) {
        await tx(TABLE).where(where).update(row);
      } else {
        await tx(TABLE).insert(row);
      }
      return {
        drift: toDrift(row),
        announce: !existing || existing.signature !== signature,
      };
    });
  }

  /** Forgets a deployment's drift; the removed entry, if there was one. */
  async clear(key: DeploymentKey): Promise<StoredDrift | undefined> {
    return this.knex.transaction(async tx => {
      const row = await tx<Row>(TABLE).where(keyOf(key)).first();
      if (!row) return undefined;
      await tx(TABLE).where(keyOf(key)).delete();
      return toDrift(row);
    });
  }

  /** Every drifted deployment, or those of some applications. */
  async list(filter: { entityRefs?: string[] } = {}): Promise<StoredDrift[]> {
    const rows = await this.knex<Row>(TABLE)
      .modify(query => {
        if (filter.entityRefs) query.whereIn('entity_ref', filter.entityRefs);
      })
      .orderBy('detected_at', 'asc');
    return rows.map(toDrift);
  }
}

function keyOf(key: DeploymentKey) {
  return {
    environment: key.environment,
    namespace: key.namespace,
    name: key.name,
  };
}

function signatureOf(revision: number, fields: DriftedField[]): string {
  const paths = fields
    .map(f => `${f.object}|${f.path ?? ''}|${f.change}`)
    .sort();
  return createHash('sha256')
    .update(JSON.stringify([revision, paths]))
    .digest('hex');
}

function toDrift(row: Row): StoredDrift {
  return {
    environment: row.environment,
    namespace: row.namespace,
    name: row.name,
    entityRef: row.entity_ref,
    revision: Number(row.revision),
    fields: JSON.parse(row.fields),
    moreFields: Number(row.more_fields),
    detectedAt: iso(row.detected_at)!,
    checkedAt: iso(row.checked_at)!,
  };
}
