// @ts-check

/**
 * Approval requests of environments that require approval, and the audit
 * trail of every mutating call and decision.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('deployment_approval_requests', table => {
    table.comment(
      'Changes to environments that require approval; decided once, by a conditional update',
    );
    table.string('id', 36).primary().notNullable();
    table.string('entity_ref').notNullable();
    table.string('owner').notNullable();
    table.string('environment', 32).notNullable();
    table.string('namespace', 63).notNullable();
    table.string('name', 63).notNullable();
    table.string('action', 16).notNullable();
    table.string('requester').notNullable();
    table.string('from_version', 512).nullable();
    table.string('to_version', 512).nullable();
    table
      .text('request')
      .nullable()
      .comment('DeploymentRequest JSON; secrets only as references');
    table.integer('rollback_to_revision').nullable();
    table.string('change_reference', 512).nullable();
    table.string('task_id', 64).nullable();
    table.string('status', 16).notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('expires_at', { useTz: true }).notNullable();
    table.string('decided_by').nullable();
    table.timestamp('decided_at', { useTz: true }).nullable();
    table.text('comment').nullable();
    table.string('result', 16).nullable();
    table.integer('revision').nullable();
    table.text('error').nullable();
    table.index(['status', 'expires_at'], 'deployment_approvals_status_idx');
    table.index(['entity_ref'], 'deployment_approvals_entity_idx');
  });

  await knex.schema.createTable('deployment_audit_events', table => {
    table.comment('Who did what to which deployment, and how it ended');
    table.bigIncrements('seq').primary();
    table.string('id', 36).notNullable().unique();
    table.timestamp('at', { useTz: true }).notNullable();
    table.string('actor').notNullable();
    table.string('action', 32).notNullable();
    table.string('result', 16).notNullable();
    table.string('entity_ref').nullable();
    table.string('environment', 32).nullable();
    table.string('namespace', 63).nullable();
    table.string('name', 63).nullable();
    table.string('from_version', 512).nullable();
    table.string('to_version', 512).nullable();
    table.text('message').nullable();
    table.string('task_id', 64).nullable();
    table.string('approval_id', 36).nullable();
    table.index(['entity_ref', 'environment'], 'deployment_audit_entity_idx');
    table.index(['at'], 'deployment_audit_at_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('deployment_audit_events');
  await knex.schema.dropTable('deployment_approval_requests');
};
