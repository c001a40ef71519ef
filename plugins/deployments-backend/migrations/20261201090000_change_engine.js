// @ts-check

/**
 * The change engine: every deployment record is a durable change with a
 * state machine (queued → planning → applying → verifying → succeeded |
 * failed | rolled-back | cancelled), claimed by one backend replica at a time
 * under a lease, and at most one active change per deployment, enforced by a
 * partial unique index.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('deployment_records', table => {
    table
      .text('input')
      .nullable()
      .comment(
        'What the change asks for beyond the request: the fields of an update, merged over what runs when the change is planned',
      );
    table
      .integer('base_revision')
      .nullable()
      .comment('The revision whose objects were in place when planned');
    table.integer('timeout_seconds').nullable();
    table.string('lease_owner', 128).nullable();
    table.timestamp('lease_expires_at', { useTz: true }).nullable();
    table.integer('attempts').notNullable().defaultTo(0);
    table.timestamp('started_at', { useTz: true }).nullable();
    table
      .timestamp('applied_at', { useTz: true })
      .nullable()
      .comment(
        'When the apply finished: the verification deadline runs from here',
      );
    table.string('idempotency_key', 200).nullable();
    table.string('approval_id', 36).nullable();
    table.string('task_id', 64).nullable();
    table.unique(['idempotency_key'], {
      indexName: 'deployment_records_idempotency_uniq',
    });
    table.index(['status', 'created_at'], 'deployment_records_status_idx');
  });

  // Revision numbers come from one counter row per deployment, incremented
  // atomically, so concurrent changes never race for the next number.
  await knex.schema.createTable('deployment_heads', table => {
    table.comment('The last revision number given out per deployment');
    table.string('environment', 32).notNullable();
    table.string('namespace', 63).notNullable();
    table.string('name', 63).notNullable();
    table.integer('last_revision').notNullable();
    table.primary(['environment', 'namespace', 'name']);
  });
  await knex.raw(
    `INSERT INTO deployment_heads (environment, namespace, name, last_revision)
     SELECT environment, namespace, name, MAX(revision)
     FROM deployment_records GROUP BY environment, namespace, name`,
  );

  // Records of the synchronous era that never finished (the process that ran
  // them stopped): nothing will ever finish them.
  const interrupted = await knex('deployment_records')
    .whereIn('status', ['applying', 'rolling-out'])
    .select('id', 'status_history');
  for (const row of interrupted) {
    const at = new Date().toISOString();
    const history = JSON.parse(row.status_history);
    history.push({
      status: 'failed',
      at,
      reason: 'interrupted: the backend stopped before the change finished',
    });
    await knex('deployment_records')
      .where({ id: row.id })
      .update({
        status: 'failed',
        error:
          'Interrupted: the backend stopped before this change finished (recorded before the change engine); check what the cluster runs and deploy again',
        finished_at: new Date(),
        status_history: JSON.stringify(history),
      });
  }
  await knex('deployment_records').update({
    status_history: knex.raw('REPLACE(status_history, ?, ?)', [
      '"rolling-out"',
      '"verifying"',
    ]),
  });

  // One active change per deployment. PostgreSQL and SQLite support partial
  // indexes; MySQL does not (there the claim's transaction is the only guard).
  if (!/mysql/.test(String(knex.client.config.client))) {
    await knex.raw(
      `CREATE UNIQUE INDEX deployment_records_active_uniq
       ON deployment_records (environment, namespace, name)
       WHERE status IN ('planning', 'applying', 'verifying', 'rolling-back')`,
    );
  }

  await knex.schema.alterTable('deployment_approval_requests', table => {
    table
      .string('change_hash', 80)
      .nullable()
      .comment('sha256 of what was asked for: approving enqueues exactly this');
    table
      .integer('base_revision')
      .nullable()
      .comment(
        'The latest revision of the deployment when requested; approving is refused once it moved on',
      );
    table.string('change_id', 36).nullable();
  });

  await knex.schema.alterTable('deployment_audit_events', table => {
    table.string('change_id', 36).nullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('deployment_audit_events', table => {
    table.dropColumn('change_id');
  });
  await knex.schema.alterTable('deployment_approval_requests', table => {
    table.dropColumn('change_hash');
    table.dropColumn('base_revision');
    table.dropColumn('change_id');
  });
  if (!/mysql/.test(String(knex.client.config.client))) {
    await knex.raw('DROP INDEX deployment_records_active_uniq');
  }
  await knex.schema.dropTable('deployment_heads');
  await knex.schema.alterTable('deployment_records', table => {
    table.dropIndex(['status', 'created_at'], 'deployment_records_status_idx');
    table.dropUnique(
      ['idempotency_key'],
      'deployment_records_idempotency_uniq',
    );
    for (const column of [
      'input',
      'base_revision',
      'timeout_seconds',
      'lease_owner',
      'lease_expires_at',
      'attempts',
      'started_at',
      'applied_at',
      'idempotency_key',
      'approval_id',
      'task_id',
    ]) {
      table.dropColumn(column);
    }
  });
};
