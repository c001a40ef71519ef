// @ts-check

/**
 * Delivery insights (DORA figures):
 * - when the build a change deploys was made, if the template or CI said so
 *   (lead time runs from there);
 * - each build's first arrival in each environment (deployment_arrivals),
 *   written when a deploy or update succeeds, so that lead time is a range
 *   read instead of two aggregates over the whole history; filled here from
 *   the records there are;
 * - covering indexes for the windowed reads (changes by finish time, first
 *   requests by creation time) and for finding a build's first request.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  const client = String(knex.client.config.client);
  const postgres = /^(pg|postgres)/.test(client);
  await knex.schema.alterTable('deployment_records', table => {
    table
      .timestamp('built_at', { useTz: true })
      .nullable()
      .comment(
        'When the deployed build was made (request.builtAt); lead time starts here',
      );
  });
  // PostgreSQL reads these without visiting the table (INCLUDE); elsewhere
  // the columns are part of the key.
  /**
   * @param {string} name
   * @param {string[]} key
   * @param {string[]} include
   */
  const covering = (name, key, include) =>
    postgres
      ? knex.raw(
          `CREATE INDEX ${name} ON deployment_records (${key.join(
            ', ',
          )}) INCLUDE (${include.join(', ')})`,
        )
      : knex.schema.alterTable('deployment_records', table => {
          table.index([...key, ...include], name);
        });
  await covering(
    'deployment_records_finished_idx',
    ['finished_at'],
    ['entity_ref', 'environment', 'action', 'status', 'created_at'],
  );
  await covering(
    'deployment_records_requested_idx',
    ['entity_ref', 'created_at'],
    ['environment'],
  );
  // A build is its digest, or the image reference when deployed by tag.
  await knex.raw(
    'CREATE INDEX deployment_records_build_idx ON deployment_records (entity_ref, (COALESCE(digest, image)))',
  );

  await knex.schema.createTable('deployment_arrivals', table => {
    table.comment(
      'The first successful deploy or update of each build in each environment',
    );
    table.string('entity_ref', 255).notNullable();
    table.string('environment', 32).notNullable();
    table
      .string('build', 512)
      .notNullable()
      .comment('Digest, or image reference');
    table.timestamp('arrived_at', { useTz: true }).notNullable();
    table
      .timestamp('origin_at', { useTz: true })
      .notNullable()
      .comment('built_at of the build, or its first deploy request anywhere');
    table.primary(['entity_ref', 'environment', 'build']);
    table.index(['arrived_at'], 'deployment_arrivals_arrived_idx');
  });
  await exports.backfillArrivals(knex);
};

/**
 * Fills deployment_arrivals from the records (also used by
 * bench/insights.bench.ts after its bulk insert).
 *
 * @param {import('knex').Knex} knex
 */
exports.backfillArrivals = async function backfillArrivals(knex) {
  const build = knex.raw('COALESCE(digest, image)');
  const arrived = knex('deployment_records')
    .where('status', 'succeeded')
    .whereIn('action', ['deploy', 'update'])
    .whereNotNull('finished_at')
    .select('entity_ref', 'environment', { build })
    .min({ arrived_at: 'finished_at' })
    .groupBy('entity_ref', 'environment', build);
  const origins = knex('deployment_records')
    .select('entity_ref', { build })
    .min({ built_at: 'built_at', first_seen: 'created_at' })
    .groupBy('entity_ref', build);
  await knex
    .into(
      knex.raw(
        'deployment_arrivals (entity_ref, environment, build, arrived_at, origin_at)',
      ),
    )
    .insert(
      knex
        .from(arrived.as('a'))
        .join(origins.as('o'), join =>
          join.on('o.entity_ref', 'a.entity_ref').andOn('o.build', 'a.build'),
        )
        .select(
          'a.entity_ref',
          'a.environment',
          'a.build',
          'a.arrived_at',
          knex.raw('COALESCE(o.built_at, o.first_seen)'),
        ),
    );
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('deployment_arrivals');
  for (const name of [
    'deployment_records_build_idx',
    'deployment_records_requested_idx',
    'deployment_records_finished_idx',
  ]) {
    await knex.raw(`DROP INDEX ${name}`);
  }
  await knex.schema.alterTable('deployment_records', table => {
    table.dropColumn('built_at');
  });
};
