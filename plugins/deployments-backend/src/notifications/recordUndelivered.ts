import { LoggerService } from '@backstage/backend-plugin-api';
import { AuditLog } from '../audit/AuditLog';
import { OutboxSubject } from '../store/NotificationOutboxStore';

/**
 * A message a webhook never took: one `notification.failed` audit event
 * (the webhook by name, never its URL) and a warning in the log.
 */
export async function recordUndelivered(options: {
  audit?: AuditLog;
  logger: LoggerService;
  webhook: string;
  subject: OutboxSubject;
  attempts: number;
  reason: string;
}): Promise<void> {
  const { subject, webhook, reason } = options;
  options.logger.warn('Deployment webhook failed', {
    webhook,
    format: subject.format,
    event: subject.event,
    entityRef: subject.entityRef,
    attempts: options.attempts,
    error: reason,
  });
  await options.audit?.record({
    actor: 'system',
    action: 'notification.failed',
    result: 'failure',
    entityRef: subject.entityRef,
    environment: subject.environment,
    namespace: subject.namespace || undefined,
    name: subject.name || undefined,
    fromVersion: subject.fromVersion,
    toVersion: subject.toVersion,
    approvalId: subject.approvalId,
    changeId: subject.changeId,
    message: `webhook ${webhook} (${subject.format}) did not take the ${subject.event} announcement: ${reason}`,
  });
}
