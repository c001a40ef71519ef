import { LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { NotificationService } from '@backstage/plugin-notifications-node';
import {
  approvalLink,
  readApprovalsPath,
  ApprovalRequest,
  DeploymentRecord,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { AuditLog } from '../audit/AuditLog';
import { WebhookDispatcher } from '../notifications/WebhookDispatcher';
import { readNotificationSettings } from '../notifications/readNotificationSettings';
import { NotificationOutboxStore } from '../store/NotificationOutboxStore';

/** What happened, as the webhook's `event` field says it. */
export type DeploymentEventType =
  | 'approval-requested'
  | 'approved'
  | 'rejected'
  | 'expired'
  | 'stale'
  | 'deployed'
  | 'failed'
  | 'rolled-back'
  | 'deleted'
  | 'drift'
  | 'health';

/** The body a `json` webhook receives (unchanged since the first release). */
export type DeploymentEventPayload = {
  event: DeploymentEventType;
  entityRef: string;
  environment: string;
  namespace: string;
  name: string;
  action: string;
  requester: string;
  actor?: string;
  fromVersion?: string;
  toVersion?: string;
  revision?: number;
  approvalId?: string;
  comment?: string;
  message?: string;
  link?: string;
  at: string;
};

type Recipients = { entityRef: string[]; excludeEntityRef?: string[] };

/**
 * Tells people what happened: Backstage notifications (approval requested →
 * approvers; decisions and outcomes → requester and owners) and the team
 * chats of `deployments.notifications.webhooks` (Slack, Discord, Teams,
 * Google Chat or plain JSON; see WebhookDispatcher). Sending is
 * fire-and-forget: it never fails or delays a deployment; a webhook is
 * retried, and one that never took a message is in the audit trail.
 */
export class Notifier {
  static create(options: {
    config: Config;
    logger: LoggerService;
    notifications?: NotificationService;
    fetch?: typeof fetch;
    /** Where a webhook's final failure is recorded (`notification.failed`). */
    audit?: AuditLog;
    /** The owning group of an application, for webhooks of some teams only. */
    ownerOf?: (entityRef: string) => Promise<string | undefined>;
    /**
     * Where webhook messages wait until delivered (the backend's database):
     * they survive a restart. Without it, in this process's memory.
     */
    outbox?: NotificationOutboxStore;
    /** How often the outbox is read without a signal. Default 1000. */
    pollIntervalMs?: number;
  }): Notifier {
    const { config } = options;
    return new Notifier(
      options.logger,
      options.notifications,
      WebhookDispatcher.create({
        settings: readNotificationSettings(config),
        logger: options.logger,
        audit: options.audit,
        ownerOf: options.ownerOf,
        fetch: options.fetch,
        outbox: options.outbox,
        pollIntervalMs: options.pollIntervalMs,
      }),
      config.getOptionalString('deployments.approvals.releaseManagerGroup') ??
        'group:default/release-managers',
      readApprovalsPath(config),
      environment =>
        config.getOptionalString(
          `deployments.environments.${environment}.cluster`,
        ),
    );
  }

  private constructor(
    private readonly logger: LoggerService,
    private readonly notifications: NotificationService | undefined,
    private readonly webhooks: WebhookDispatcher,
    private readonly releaseManagerGroup: string,
    private readonly approvalsPath: string,
    private readonly clusterOf: (environment: string) => string | undefined,
  ) {}

  /** Starts delivering webhook messages from the outbox (backend start-up). */
  start(): void {
    this.webhooks.start();
  }

  /**
   * Resolves once every webhook message sent so far was delivered or
   * recorded as failed (tests).
   */
  idle(): Promise<void> {
    return this.webhooks.idle();
  }

  /**
   * Stops delivering webhook messages (on shutdown): those in the outbox wait
   * for the next start; without an outbox they are recorded as failed.
   */
  stop(): Promise<void> {
    return this.webhooks.stop();
  }

  /** A new request: the owning group and the release managers, not the requester. */
  approvalRequested(approval: ApprovalRequest): void {
    this.send(
      {
        entityRef: [approval.owner, this.releaseManagerGroup],
        excludeEntityRef: [approval.requester],
      },
      {
        ...this.fromApproval(approval, 'approval-requested'),
        message: `${approval.requester} asks to ${approval.action} ${
          approval.entityRef
        } in ${approval.environment}${
          approval.toVersion ? ` (${approval.toVersion})` : ''
        }`,
      },
      { owner: approval.owner, changeReference: approval.changeReference },
    );
  }

  /** Approved, rejected, expired or stale: the requester and the owners. */
  decided(approval: ApprovalRequest): void {
    let event: 'approved' | 'rejected' | 'expired' | 'stale' = 'approved';
    if (
      approval.status === 'rejected' ||
      approval.status === 'expired' ||
      approval.status === 'stale'
    ) {
      event = approval.status;
    }
    const by = approval.decidedBy ? ` by ${approval.decidedBy}` : '';
    this.send(
      { entityRef: [approval.requester, approval.entityRef] },
      {
        ...this.fromApproval(approval, event),
        actor: approval.decidedBy,
        comment: approval.comment,
        message: decisionText(approval, event, by),
      },
      { owner: approval.owner, changeReference: approval.changeReference },
    );
  }

  /** How a change ended: deployed, failed, rolled back or deleted. */
  outcome(
    record: DeploymentRecord,
    options: { fromVersion?: string; approvalId?: string } = {},
  ): void {
    let event: DeploymentEventType;
    if (record.status === 'failed') event = 'failed';
    else if (record.status === 'rolled-back' || record.action === 'rollback')
      event = 'rolled-back';
    else if (record.action === 'delete') event = 'deleted';
    else if (record.status === 'succeeded') event = 'deployed';
    else return;
    this.send(
      { entityRef: [record.requester, record.entityRef] },
      {
        event,
        entityRef: record.entityRef,
        environment: record.environment,
        namespace: record.namespace,
        name: record.name,
        action: record.action,
        requester: record.requester,
        fromVersion: options.fromVersion,
        toVersion: record.image,
        revision: record.revision,
        approvalId: options.approvalId,
        message: `${record.action} of ${record.entityRef} in ${
          record.environment
        } (revision ${record.revision}) ${outcomeText(record)}`,
        link: entityLink(record.entityRef),
        at: new Date().toISOString(),
      },
      { changeReference: record.changeReference, changeId: record.id },
    );
  }

  /** Drift found in a deployment: its owners, once per drift. */
  drift(record: DeploymentRecord, summary: string): void {
    this.send(
      { entityRef: [record.entityRef] },
      {
        event: 'drift',
        entityRef: record.entityRef,
        environment: record.environment,
        namespace: record.namespace,
        name: record.name,
        action: record.action,
        requester: record.requester,
        toVersion: record.image,
        revision: record.revision,
        message: `${record.namespace}/${record.name} in ${record.environment} no longer matches revision ${record.revision}: ${summary}. Re-apply it from the Deployments tab, or deploy the change through the portal.`,
        link: `${entityLink(record.entityRef)}/deployments`,
        at: new Date().toISOString(),
      },
      { changeReference: record.changeReference, changeId: record.id },
    );
  }

  /**
   * A change of health that held for the debounce window (or a recovery):
   * the owners, once per change.
   */
  health(
    entityRef: string,
    environment: string,
    change: { state: string; previous: string; since: string; reason?: string },
  ): void {
    const recovered = change.state === 'healthy';
    this.send(
      { entityRef: [entityRef] },
      {
        event: 'health',
        entityRef,
        environment,
        namespace: '',
        name: '',
        action: 'monitor',
        requester: 'system',
        message: recovered
          ? `${entityRef} in ${environment} is healthy again since ${change.since} (was ${change.previous})`
          : `${entityRef} in ${environment} is ${change.state} since ${
              change.since
            } (was ${change.previous})${
              change.reason ? `: ${change.reason}` : ''
            }`,
        comment: change.state,
        link: `${entityLink(entityRef)}/service-health`,
        at: new Date().toISOString(),
      },
    );
  }

  private fromApproval(
    approval: ApprovalRequest,
    event: DeploymentEventType,
  ): DeploymentEventPayload {
    return {
      event,
      entityRef: approval.entityRef,
      environment: approval.environment,
      namespace: approval.namespace,
      name: approval.name,
      action: approval.action,
      requester: approval.requester,
      fromVersion: approval.fromVersion,
      toVersion: approval.toVersion,
      revision: approval.revision,
      approvalId: approval.id,
      link: approvalLink(approval.id, this.approvalsPath),
      at: new Date().toISOString(),
    };
  }

  private send(
    recipients: Recipients,
    payload: DeploymentEventPayload,
    context: {
      owner?: string;
      changeReference?: string;
      changeId?: string;
    } = {},
  ) {
    void this.notify(recipients, payload);
    if (!this.webhooks.enabled) return;
    const base = this.webhooks.appBaseUrl ?? '';
    this.webhooks.dispatch({
      event: payload,
      title: title(payload),
      cluster: this.clusterOf(payload.environment),
      ...context,
      links: {
        deployments: `${base}${entityLink(payload.entityRef)}/deployments`,
        approval: payload.approvalId
          ? `${base}${approvalLink(payload.approvalId, this.approvalsPath)}`
          : undefined,
        page: payload.link ? `${base}${payload.link}` : undefined,
      },
    });
  }

  private async notify(
    recipients: Recipients,
    payload: DeploymentEventPayload,
  ) {
    if (!this.notifications) return;
    try {
      await this.notifications.send({
        recipients: { type: 'entity', ...recipients },
        payload: {
          title: title(payload),
          description: payload.message,
          link: payload.link,
          severity: severityOf(payload.event),
          topic: `deployments:${payload.entityRef}`,
          scope: payload.approvalId
            ? `deployments:approval:${payload.approvalId}:${payload.event}`
            : undefined,
        },
      });
    } catch (error) {
      this.logger.warn('Deployment notification could not be sent', {
        event: payload.event,
        entityRef: payload.entityRef,
        error: (error as Error).message,
      });
    }
  }
}

function decisionText(
  approval: ApprovalRequest,
  event: 'approved' | 'rejected' | 'expired' | 'stale',
  by: string,
): string {
  const what = `The request to ${approval.action} ${approval.entityRef} in ${approval.environment}`;
  switch (event) {
    case 'expired':
      return `${what} expired without a decision; nothing was changed`;
    case 'stale':
      return `${what} can no longer be approved: ${approval.comment}`;
    default:
      return `${what} was ${event}${by}${
        event === 'rejected' ? '; nothing was changed' : ''
      }${approval.comment ? `: ${approval.comment}` : ''}`;
  }
}

function outcomeText(record: DeploymentRecord): string {
  if (record.status === 'failed') {
    return `failed: ${record.error ?? 'no reason recorded'}`;
  }
  if (record.status === 'rolled-back') {
    return `was rolled back: ${record.error ?? 'no reason recorded'}`;
  }
  return 'succeeded';
}

function severityOf(event: DeploymentEventType): 'high' | 'normal' | 'low' {
  if (event === 'failed' || event === 'rolled-back' || event === 'drift') {
    return 'high';
  }
  if (event === 'health') return 'high';
  return event === 'approval-requested' ? 'normal' : 'low';
}

function title(payload: DeploymentEventPayload): string {
  const what = `${payload.entityRef} in ${payload.environment}`;
  switch (payload.event) {
    case 'approval-requested':
      return `Approval requested: ${payload.action} ${what}`;
    case 'approved':
      return `Approved: ${payload.action} ${what}`;
    case 'rejected':
      return `Rejected: ${payload.action} ${what}`;
    case 'expired':
      return `Approval expired: ${payload.action} ${what}`;
    case 'stale':
      return `Approval request outdated: ${payload.action} ${what}`;
    case 'deployed':
      return `Deployed: ${what}`;
    case 'failed':
      return `Deployment failed: ${what}`;
    case 'rolled-back':
      return `Rolled back: ${what}`;
    case 'drift':
      return `Drift: ${what} was changed outside the portal`;
    case 'health':
      return payload.comment === 'healthy'
        ? `Recovered: ${what}`
        : `${capitalize(payload.comment ?? 'unhealthy')}: ${what}`;
    default:
      return `Deleted: ${what}`;
  }
}

function capitalize(text: string): string {
  return text.charAt(0).toLocaleUpperCase('en-US') + text.slice(1);
}

function entityLink(entityRef: string): string {
  const match = /^([^:]+):([^/]+)\/(.+)$/.exec(entityRef);
  return match
    ? `/catalog/${match[2]}/${match[1].toLocaleLowerCase('en-US')}/${match[3]}`
    : '/catalog';
}
