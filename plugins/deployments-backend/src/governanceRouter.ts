import { HttpAuthService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  ApprovalStatus,
  auditEventsToCsv,
  DeploymentOutcome,
  isPendingApproval,
} from '@internal/backstage-plugin-deployments-common';
import { DeploymentService } from '@internal/backstage-plugin-deployments-node';
import express, { NextFunction, Request, Response } from 'express';
import Router from 'express-promise-router';
import { AuditLog } from './service/AuditLog';

const APPROVAL_STATUSES = ['pending', 'approved', 'rejected', 'expired'];
const APPROVAL_ID =
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TASK_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
const MUTATING_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** The path prefixes whose credentials the plugin checks itself, to audit refusals. */
export const AUDITED_PATHS = ['/deployments', '/approvals'];

/** `?taskId=`: the scaffolder task that makes a change. */
export function taskIdOf(req: Request): string | undefined {
  const { taskId } = req.query;
  if (taskId === undefined) return undefined;
  if (typeof taskId !== 'string' || !TASK_ID.test(taskId)) {
    throw new InputError(
      'taskId must be one scaffolder task id (letters, digits, - _ . :, at most 64 characters)',
    );
  }
  return taskId;
}

/** 202 with the pending request when a change waits for approval, else `status`. */
export function sendOutcome(
  res: Response,
  outcome: DeploymentOutcome,
  status = 200,
) {
  res.status(isPendingApproval(outcome) ? 202 : status).json(outcome);
}

/**
 * Requires valid credentials on /deployments and /approvals and records a
 * refused mutating call (no or bad credentials: 401) in the audit trail as
 * `anonymous`. These paths are exempt from the HTTP router's own credentials
 * barrier only so that this middleware sees the refusal; it enforces the
 * same rule.
 */
export function requireCredentials(options: {
  httpAuth: HttpAuthService;
  audit: AuditLog;
}) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    // Express matches routes case-insensitively: so must this check.
    const path = req.path.toLowerCase();
    if (!AUDITED_PATHS.some(p => path === p || path.startsWith(`${p}/`))) {
      next();
      return;
    }
    try {
      await options.httpAuth.credentials(req, { allow: ['user', 'service'] });
    } catch (error) {
      if (MUTATING_METHODS.has(req.method)) {
        const [, , environment, namespace, name] = req.path.split('/');
        const isDeployment = path.startsWith('/deployments/');
        await options.audit.record({
          actor: 'anonymous',
          action: actionOf(req),
          result: 'refused',
          ...(isDeployment ? { environment, namespace, name } : {}),
          ...(path.startsWith('/approvals/')
            ? { approvalId: req.path.split('/')[2]?.slice(0, 36) }
            : {}),
          message: `${req.method} ${req.path}: ${(error as Error).message}`,
        });
      }
      throw error;
    }
    next();
  };
}

function actionOf(req: Request) {
  const path = req.path.toLowerCase();
  if (path.startsWith('/approvals/')) {
    return path.endsWith('/reject') ? 'approval.reject' : 'approval.approve';
  }
  if (path.endsWith('/restart')) return 'restart';
  if (path.endsWith('/rollback')) return 'rollback';
  if (req.method === 'DELETE') return 'delete';
  if (req.method === 'PUT') return 'update';
  return 'deploy';
}

function approvalIdOf(req: Request): string {
  const { id } = req.params;
  if (!APPROVAL_ID.test(id)) {
    throw new InputError(
      `approval id '${id}' is not a UUID; use the id from GET /approvals`,
    );
  }
  return id;
}

function commentOf(body: unknown): { comment?: string } {
  if (body === undefined || body === null || typeof body !== 'object') {
    return {};
  }
  const { comment } = body as { comment?: unknown };
  if (comment === undefined) return {};
  if (typeof comment !== 'string') {
    throw new InputError('comment must be a string');
  }
  return { comment };
}

/**
 * Routes of the approval gate and the audit trail (openapi.yaml): list,
 * read, approve and reject requests; read and export the audit trail.
 */
export function createGovernanceRouter(options: {
  httpAuth: HttpAuthService;
  deployments: DeploymentService;
}): express.Router {
  const { httpAuth, deployments } = options;
  const router = Router();
  const credentials = (req: Request) =>
    httpAuth.credentials(req, { allow: ['user', 'service'] });
  const userCredentials = (req: Request) =>
    httpAuth.credentials(req, { allow: ['user'] });

  router.get('/approvals', async (req, res) => {
    const caller = await credentials(req);
    const { status, entityRef } = req.query;
    if (
      status !== undefined &&
      (typeof status !== 'string' || !APPROVAL_STATUSES.includes(status))
    ) {
      throw new InputError(
        `status must be one of ${APPROVAL_STATUSES.join(', ')}`,
      );
    }
    if (entityRef !== undefined && typeof entityRef !== 'string') {
      throw new InputError(
        'entityRef must be one entity ref, e.g. component:default/payments-api',
      );
    }
    res.json({
      items: await deployments.listApprovals(
        { status: status as ApprovalStatus | undefined, entityRef },
        { credentials: caller },
      ),
    });
  });

  router.get('/approvals/:id', async (req, res) => {
    const caller = await credentials(req);
    res.json(
      await deployments.getApproval(approvalIdOf(req), { credentials: caller }),
    );
  });

  router.post('/approvals/:id/approve', async (req, res) => {
    const caller = await userCredentials(req);
    res.json(
      await deployments.approve(approvalIdOf(req), commentOf(req.body), {
        credentials: caller,
      }),
    );
  });

  router.post('/approvals/:id/reject', async (req, res) => {
    const caller = await userCredentials(req);
    res.json(
      await deployments.reject(approvalIdOf(req), commentOf(req.body), {
        credentials: caller,
      }),
    );
  });

  router.get('/audit', async (req, res) => {
    const caller = await credentials(req);
    const { entityRef, environment, format, limit } = req.query;
    for (const [field, value] of [
      ['entityRef', entityRef],
      ['environment', environment],
      ['limit', limit],
    ] as const) {
      if (value !== undefined && typeof value !== 'string') {
        throw new InputError(`${field} must be given once`);
      }
    }
    if (format !== undefined && format !== 'json' && format !== 'csv') {
      throw new InputError(`format must be json or csv, got '${format}'`);
    }
    const parsedLimit = limit === undefined ? undefined : Number(limit);
    const items = await deployments.listAudit(
      {
        entityRef: entityRef as string | undefined,
        environment: environment as never,
        limit: parsedLimit,
      },
      { credentials: caller },
    );
    if (format === 'csv') {
      res
        .type('text/csv; charset=utf-8')
        .attachment('deployments-audit.csv')
        .send(auditEventsToCsv(items));
      return;
    }
    res.json({ items });
  });

  return router;
}
