// @ts-check

/**
 * Delivery insights (DORA figures): when the build a change deploys was made,
 * if the template or CI said so (lead time runs from there), and the indexes
 * the windowed queries read by: finished changes per environment in time, and
 * each application's builds by digest.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('deployment_records', table => {
    table
      .timestamp('built_at', { useTz: true })
      .nullable()
      .comment(
        'When the deployed build was made (request.builtAt); lead time starts here',
      );
    table.index(
      ['environment', 'finished_at'],
      'deployment_records_finished_idx',
    );
    table.index(['entity_ref', 'digest'], 'deployment_records_build_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('deployment_records', table => {
    table.dropIndex(['entity_ref', 'digest'], 'deployment_records_build_idx');
    table.dropIndex(
      ['environment', 'finished_at'],
      'deployment_records_finished_idx',
    );
    table.dropColumn('built_at');
  });
};
