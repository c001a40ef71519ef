// @ts-check

/**
 * Drift: what the scheduled drift check found in the cluster that differs
 * from what the deployment's running revision applied (one row per drifted
 * deployment, removed when the drift is gone), and when an automatic
 * rollback detected the failure and had the previous revision back
 * (time to detect, time to restore).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('deployment_drift', table => {
    table.comment(
      'Deployments whose live objects differ from what was applied',
    );
    table.string('environment', 32).notNullable();
    table.string('namespace', 63).notNullable();
    table.string('name', 63).notNullable();
    table.string('entity_ref', 255).notNullable();
    table
      .integer('revision')
      .notNullable()
      .comment('The running revision whose applied objects were compared');
    table
      .text('fields')
      .notNullable()
      .comment('The drifted fields (JSON, at most 20) without plain values');
    table.integer('more_fields').notNullable().defaultTo(0);
    table
      .string('signature', 64)
      .notNullable()
      .comment('Hash of the drifted paths: a new drift is announced once');
    table.timestamp('detected_at', { useTz: true }).notNullable();
    table.timestamp('checked_at', { useTz: true }).notNullable();
    table.primary(['environment', 'namespace', 'name']);
    table.index(['entity_ref'], 'deployment_drift_entity_idx');
  });
  await knex.schema.alterTable('deployment_records', table => {
    table
      .timestamp('failure_detected_at', { useTz: true })
      .nullable()
      .comment('When the engine decided the new revision failed');
    table
      .timestamp('restored_at', { useTz: true })
      .nullable()
      .comment('When the automatic rollback had the previous revision ready');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('deployment_records', table => {
    table.dropColumn('failure_detected_at');
    table.dropColumn('restored_at');
  });
  await knex.schema.dropTable('deployment_drift');
};
