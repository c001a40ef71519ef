import { HttpAuthService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  APPROVAL_STATUSES,
  ApprovalStatus,
  auditEventsToCsv,
} from '@internal/backstage-plugin-deployments-common';
import { DeploymentService } from '@internal/backstage-plugin-deployments-node';
import express, { Request } from 'express';
import Router from 'express-promise-router';

const APPROVAL_ID =
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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
export function createApprovalRoutes(options: {
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
      (typeof status !== 'string' ||
        !APPROVAL_STATUSES.includes(status as ApprovalStatus))
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
