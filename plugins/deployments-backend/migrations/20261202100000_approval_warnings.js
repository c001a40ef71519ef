// @ts-check

/**
 * The policy warnings of a change that waits for approval travel with it:
 * on the approval request (what the approvers see) and, once approved, on
 * the record of the change it queues.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('deployment_approval_requests', table => {
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
  await knex.schema.alterTable('deployment_approval_requests', table => {
    table.dropColumn('warnings');
  });
};
