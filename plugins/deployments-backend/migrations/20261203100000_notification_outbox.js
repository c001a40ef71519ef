// @ts-check

/**
 * The outbox of chat announcements: one row per message and webhook until
 * the webhook took it or delivery gave up, so a message survives a restart
 * of the backend and any replica may deliver it. Times are epoch
 * milliseconds (the same on SQLite and PostgreSQL). The webhook's URL is
 * never stored: rows name the webhook, whose URL stays in the config.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('deployment_notification_outbox', table => {
    table.comment('Chat announcements waiting for delivery to a webhook');
    table.string('id', 36).primary();
    table
      .string('webhook', 63)
      .notNullable()
      .comment('The webhook by name (deployments.notifications.webhooks)');
    table.text('body').notNullable().comment('The message as JSON');
    table
      .text('subject')
      .notNullable()
      .comment('What the message is about (event, entity, environment, …)');
    table.integer('attempts').notNullable().defaultTo(0);
    table.text('last_error').nullable();
    table.bigInteger('created_ms').notNullable();
    table.bigInteger('next_attempt_ms').notNullable();
    table
      .bigInteger('deadline_ms')
      .notNullable()
      .comment('When delivery gives up (maxDurationSeconds after it began)');
    table
      .bigInteger('claimed_until_ms')
      .nullable()
      .comment('A replica delivers it until then');
    table.index(['next_attempt_ms'], 'deployment_notification_outbox_due_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('deployment_notification_outbox');
};
