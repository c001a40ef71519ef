import { HttpAuthService } from '@backstage/backend-plugin-api';
import {
  ApprovalStatus,
  AUDIT_ACTIONS,
  AuditAction,
  auditEventsToCsv,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { DeploymentService } from '@deployments-portal/backstage-plugin-deployments-node';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { hasControlCharacters } from '../service/errors';
import { isAuditCursor } from '../store/AuditStore';
import {
  approvalStatus,
  callerCredentials,
  entityRefFilter,
  environmentName,
  idParams,
  parseRequest,
  wholeNumber,
} from './requestParts';

const decisionBody = z
  .strictObject({
    comment: z
      .string({ error: 'must be text' })
      .max(2000, { error: 'must be at most 2000 characters' })
      // Line breaks and tabs are text; other control characters (NUL,
      // which PostgreSQL cannot store, escapes, …) are not.
      .refine(value => !hasControlCharacters(value, { breaks: true }), {
        error:
          'must not contain control characters (line breaks and tabs are fine)',
      })
      .optional(),
  })
  .optional();

/** A date and time with an offset (ISO 8601), e.g. 2026-12-01T09:00:00Z. */
const instant = z.iso.datetime({
  offset: true,
  error: 'must be a date and time (ISO 8601), e.g. 2026-12-01T09:00:00Z',
});

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
  const { any: credentials, user: userCredentials } =
    callerCredentials(httpAuth);

  router.get('/approvals', async (req, res) => {
    const { query } = parseRequest(req, {
      query: z.strictObject({
        status: approvalStatus.optional(),
        entityRef: entityRefFilter.optional(),
      }),
    });
    res.json({
      items: await deployments.listApprovals(
        {
          status: query.status as ApprovalStatus | undefined,
          entityRef: query.entityRef,
        },
        { credentials: await credentials(req) },
      ),
    });
  });

  router.get('/approvals/:id', async (req, res) => {
    const { params } = parseRequest(req, {
      params: idParams,
      query: z.strictObject({}),
    });
    res.json(
      await deployments.getApproval(params.id, {
        credentials: await credentials(req),
      }),
    );
  });

  for (const decision of ['approve', 'reject'] as const) {
    router.post(`/approvals/:id/${decision}`, async (req, res) => {
      const { params, body } = parseRequest(req, {
        params: idParams,
        query: z.strictObject({}),
        body: decisionBody,
      });
      const caller = await userCredentials(req);
      res.json(
        await deployments[decision](
          params.id,
          { comment: body?.comment },
          { credentials: caller },
        ),
      );
    });
  }

  router.get('/audit', async (req, res) => {
    const { query } = parseRequest(req, {
      query: z.strictObject({
        entityRef: entityRefFilter.optional(),
        environment: environmentName.optional(),
        action: z
          .enum(AUDIT_ACTIONS as [AuditAction, ...AuditAction[]], {
            error: `must be one of ${AUDIT_ACTIONS.join(', ')}`,
          })
          .optional(),
        limit: wholeNumber(1, 10_000).optional(),
        since: instant.optional(),
        until: instant.optional(),
        cursor: z
          .string()
          .refine(isAuditCursor, {
            error:
              'must be the nextCursor of the previous page, passed unchanged',
          })
          .optional(),
        format: z
          .enum(['json', 'csv'], { error: 'must be json or csv' })
          .optional(),
      }),
    });
    const { format, ...filter } = query;
    const page = await deployments.listAudit(filter, {
      credentials: await credentials(req),
    });
    if (format === 'csv') {
      if (page.nextCursor) res.setHeader('x-next-cursor', page.nextCursor);
      res
        .type('text/csv; charset=utf-8')
        .attachment('deployments-audit.csv')
        .send(auditEventsToCsv(page.items));
      return;
    }
    res.json(page);
  });

  return router;
}
