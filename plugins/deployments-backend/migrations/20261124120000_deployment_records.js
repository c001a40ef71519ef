// @ts-check

/**
 * Deployment records: one row per deploy, update, restart, rollback or
 * delete, so history and rollback survive restarts.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('deployment_records', table => {
    table.comment('History of every change the deployments plugin made');
    table.string('id', 36).primary().notNullable();
    table.string('entity_ref').notNullable();
    table.string('environment', 32).notNullable();
    table.string('namespace', 63).notNullable();
    table.string('name', 63).notNullable();
    table.integer('revision').notNullable();
    table.string('action', 16).notNullable();
    table.string('status', 16).notNullable();
    table
      .text('request')
      .notNullable()
      .comment('DeploymentRequest JSON; secrets only as references');
    table
      .text('manifests')
      .notNullable()
      .comment('Rendered manifests JSON (no secret values)');
    table.string('image', 512).notNullable();
    table.string('digest', 80).nullable();
    table.string('requester').notNullable();
    table.string('change_reference', 512).nullable();
    table.integer('rollback_to_revision').nullable();
    table.text('error').nullable();
    table.text('status_history').notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('finished_at', { useTz: true }).nullable();
    table.unique(['environment', 'namespace', 'name', 'revision'], {
      indexName: 'deployment_records_revision_uniq',
    });
    table.index(['entity_ref', 'environment'], 'deployment_records_entity_idx');
    table.index(['created_at'], 'deployment_records_created_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('deployment_records');
};
