// @ts-check

/**
 * The policy warnings of a change travel with it: on its record (and so in
 * every answer about it), not only in POST /validate.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('deployment_records', table => {
    table
      .text('warnings')
      .nullable()
      .comment(
        'Policy warnings (JSON, at most 20) of the request when checked',
      );
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('deployment_records', table => {
    table.dropColumn('warnings');
  });
};
