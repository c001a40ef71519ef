// @ts-check

/**
 * Continuous health: the state the scheduled monitor last saw per
 * application and environment (and what it last announced), and the
 * timeline of its changes.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('deployment_health_states', table => {
    table.comment(
      'The health the monitor last saw, per application and environment',
    );
    table.string('entity_ref', 255).notNullable();
    table.string('environment', 32).notNullable();
    table.string('state', 16).notNullable();
    table
      .timestamp('since', { useTz: true })
      .notNullable()
      .comment('When the state last changed');
    table
      .string('announced_state', 16)
      .notNullable()
      .comment('The state the owners were last told (after the debounce)');
    table.text('reason').nullable().comment('Why it is not healthy, in words');
    table.boolean('up').nullable().comment('Liveness answered 200');
    table.boolean('ready').nullable().comment('Readiness answered 200');
    table.integer('probe_ms').nullable().comment('Readiness response time');
    table.timestamp('checked_at', { useTz: true }).notNullable();
    table.primary(['entity_ref', 'environment']);
  });
  await knex.schema.createTable('deployment_health_events', table => {
    table.comment('Health timeline: every change of state the monitor saw');
    table.bigIncrements('id').primary();
    table.string('entity_ref', 255).notNullable();
    table.string('environment', 32).notNullable();
    table.string('from_state', 16).nullable();
    table.string('to_state', 16).notNullable();
    table.timestamp('at', { useTz: true }).notNullable();
    table.text('reason').nullable();
    table.index(
      ['entity_ref', 'environment', 'at'],
      'deployment_health_events_idx',
    );
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('deployment_health_events');
  await knex.schema.dropTable('deployment_health_states');
};
