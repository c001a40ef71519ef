import { Knex } from 'knex';
import { RECORDS_TABLE, RecordRow } from './recordRows';

/**
 * Each build's first successful deploy or update in each environment, with
 * when the build was made: what lead time for changes is read from.
 */
export const ARRIVALS_TABLE = 'deployment_arrivals';

const SHIPPING_ACTIONS = ['deploy', 'update'];

/** SQL for a record's build: its digest, or its image reference by tag. */
export const BUILD_SQL = 'COALESCE(digest, image)';

/**
 * Notes the arrival of a record's build in its environment when the record
 * is a deploy or update that just succeeded (once per build and
 * environment), in the caller's transaction. Where the build came from is its
 * `built_at`, or else the first request to deploy it anywhere.
 */
export async function recordArrival(
  tx: Knex.Transaction,
  row: Pick<
    RecordRow,
    | 'entity_ref'
    | 'environment'
    | 'action'
    | 'status'
    | 'digest'
    | 'image'
    | 'finished_at'
  >,
): Promise<void> {
  if (
    row.status !== 'succeeded' ||
    !SHIPPING_ACTIONS.includes(row.action) ||
    !row.finished_at
  ) {
    return;
  }
  const build = row.digest ?? row.image;
  const origin: { built_at?: unknown; first_seen?: unknown } | undefined =
    await tx(RECORDS_TABLE)
      .where('entity_ref', row.entity_ref)
      .whereRaw(`${BUILD_SQL} = ?`, [build])
      .min({ built_at: 'built_at', first_seen: 'created_at' })
      .first();
  const originAt = origin?.built_at ?? origin?.first_seen ?? row.finished_at;
  await tx(ARRIVALS_TABLE)
    .insert({
      entity_ref: row.entity_ref,
      environment: row.environment,
      build,
      arrived_at: toDate(row.finished_at),
      origin_at: toDate(originAt),
    })
    .onConflict(['entity_ref', 'environment', 'build'])
    .ignore();
}

/** A timestamp as the driver gave it (Date, ISO text or SQLite's milliseconds). */
function toDate(value: unknown): Date {
  return value instanceof Date ? value : new Date(value as string | number);
}
