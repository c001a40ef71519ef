import {
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  ApprovalRequest,
  AuditFilter,
  AuditPage,
  AuditResult,
  DeploymentOutcome,
  isEnvironmentName,
  isPendingApproval,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { AuditStore, NewAuditEvent } from '../store/AuditStore';
import { AnonymousRefusals } from './AnonymousRefusals';

/**
 * What an audit event says before the call ends; the call may fill in what
 * it learns on the way (the entity, the version running before).
 */
export type AuditContext = Omit<NewAuditEvent, 'result' | 'message'>;

/** The audit fields that say which change an approval request is about. */
export function auditSubjectOfApproval(approval: ApprovalRequest) {
  return {
    entityRef: approval.entityRef,
    environment: approval.environment,
    namespace: approval.namespace,
    name: approval.name,
    fromVersion: approval.fromVersion,
    toVersion: approval.toVersion,
    approvalId: approval.id,
  } satisfies Partial<AuditContext>;
}

/** Who made a call: the user, a service (`service:<subject>`) or `anonymous`. */
export function actorOf(credentials: BackstageCredentials | undefined): string {
  const principal = credentials?.principal as
    | { type: string; userEntityRef?: string; subject?: string }
    | undefined;
  if (principal?.type === 'user' && principal.userEntityRef) {
    return principal.userEntityRef;
  }
  if (principal?.type === 'service' && principal.subject) {
    return `service:${principal.subject}`;
  }
  return 'anonymous';
}

/** refused for 401/403, failure for anything else. */
export function auditResultOf(error: unknown): AuditResult {
  const name = (error as Error)?.name;
  return name === 'NotAllowedError' || name === 'AuthenticationError'
    ? 'refused'
    : 'failure';
}

/**
 * The audit trail: who did what to which deployment and how it ended,
 * refusals included. Writing never fails the call it records: an event
 * that cannot be stored is logged as an error instead.
 */
export class AuditLog {
  static create(options: {
    store: AuditStore;
    logger: LoggerService;
    /** Limits of unauthenticated refusals (see AnonymousRefusals). */
    anonymousRefusals?: { perWindow?: number; windowMs?: number };
  }) {
    return new AuditLog(options.store, options.logger, options);
  }

  private readonly anonymous: AnonymousRefusals;

  private constructor(
    private readonly store: AuditStore,
    private readonly logger: LoggerService,
    options: { anonymousRefusals?: { perWindow?: number; windowMs?: number } },
  ) {
    this.anonymous = new AnonymousRefusals(
      event => this.record(event),
      options.anonymousRefusals,
    );
  }

  /**
   * Records a call refused for missing or bad credentials, as `anonymous`.
   * Rate-limited so that unauthenticated callers cannot flood the trail:
   * past the first few per minute they are counted and summarised.
   */
  refusedAnonymously(event: Omit<NewAuditEvent, 'actor' | 'result'>) {
    return this.anonymous.refused(event);
  }

  /** Writes what is still counted (on shutdown). */
  flush(): Promise<void> {
    return this.anonymous.flush();
  }

  async record(event: NewAuditEvent): Promise<void> {
    try {
      await this.store.insert(event);
    } catch (error) {
      this.logger.error('Audit event could not be stored', {
        action: event.action,
        actor: event.actor,
        result: event.result,
        entityRef: event.entityRef,
        error: (error as Error).message,
      });
    }
  }

  /**
   * Runs a mutating call and records how it ended: the change it queued
   * (`accepted`; the engine records a second event when the change ends),
   * the approval it waits for (`pending`), or the error (refused or failure).
   * The error is rethrown unchanged.
   */
  async track<T extends DeploymentOutcome>(
    context: AuditContext,
    run: (context: AuditContext) => Promise<T>,
  ): Promise<T> {
    let outcome: T;
    try {
      outcome = await run(context);
    } catch (error) {
      await this.record({
        ...context,
        result: auditResultOf(error),
        message: (error as Error).message,
      });
      throw error;
    }
    if (isPendingApproval(outcome)) {
      const { approval } = outcome;
      await this.record({
        ...context,
        ...auditSubjectOfApproval(approval),
        result: 'pending',
        message: `awaiting approval (request ${approval.id})`,
      });
    } else {
      await this.record({
        ...context,
        entityRef: outcome.entityRef,
        environment: outcome.environment,
        namespace: outcome.namespace,
        name: outcome.name,
        toVersion: outcome.action === 'delete' ? undefined : outcome.image,
        changeId: outcome.id,
        result: 'accepted',
        message: `queued as revision ${outcome.revision} (change ${outcome.id})`,
      });
    }
    return outcome;
  }

  list(filter: AuditFilter): Promise<AuditPage> {
    if (
      filter.environment !== undefined &&
      !isEnvironmentName(filter.environment)
    ) {
      throw new InputError(
        `environment '${filter.environment}' is not an environment name: lowercase letters, digits and '-', starting with a letter, at most 30 characters`,
      );
    }
    if (
      filter.limit !== undefined &&
      (!Number.isInteger(filter.limit) ||
        filter.limit < 1 ||
        filter.limit > 10_000)
    ) {
      throw new InputError(
        `limit must be a whole number from 1 to 10000, got ${filter.limit}`,
      );
    }
    for (const key of ['since', 'until'] as const) {
      const value = filter[key];
      if (value !== undefined && Number.isNaN(Date.parse(value))) {
        throw new InputError(
          `${key} must be a date and time (ISO 8601), e.g. 2026-12-01T09:00:00Z, got '${value}'`,
        );
      }
    }
    return this.store.page(filter);
  }
}
