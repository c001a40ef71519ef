import { HttpAuthService } from '@backstage/backend-plugin-api';
import { DeploymentService } from '@deployments-portal/backstage-plugin-deployments-node';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { sendOutcome } from './params';
import {
  callerCredentials,
  changeQuery,
  deploymentKeyParams,
  flag,
  namespaceParams,
  parseRequest,
} from './requestParts';

const changeQuerySchema = z.strictObject(changeQuery);
const rollbackBody = z
  .strictObject({
    revision: z
      .number({ error: 'must be a whole number, e.g. 3' })
      .int({ error: 'must be a whole number, e.g. 3' })
      .min(1, { error: 'must be a revision number from 1 to 2147483647' })
      .max(2_147_483_647, {
        error: 'must be a revision number from 1 to 2147483647',
      })
      .optional(),
  })
  .optional();

/**
 * The deployments and the changes to them: POST /deployments (deploy),
 * GET/PUT/DELETE /deployments/:environment/:namespace/:name, restart,
 * rollback and history. Every parameter is parsed before the call, so a bad
 * one is a 400 before anything is recorded or applied.
 */
export function createDeploymentRoutes(options: {
  httpAuth: HttpAuthService;
  deployments: DeploymentService;
}): express.Router {
  const { httpAuth, deployments } = options;
  const router = Router();
  const { any: credentials, user: userCredentials } =
    callerCredentials(httpAuth);

  router.post('/deployments', async (req, res) => {
    const { query, idempotencyKey } = parseRequest(req, {
      query: z.strictObject({ ...changeQuery, dryRun: flag.optional() }),
    });
    const outcome = await deployments.deploy(req.body, {
      ...query,
      idempotencyKey,
      credentials: await userCredentials(req),
    });
    sendOutcome(req, res, outcome);
  });

  router.get('/deployments/:environment/:namespace', async (req, res) => {
    const { params } = parseRequest(req, {
      params: namespaceParams,
      query: z.strictObject({}),
    });
    res.json({
      items: await deployments.list(params, {
        credentials: await credentials(req),
      }),
    });
  });

  router.get('/deployments/:environment/:namespace/:name', async (req, res) => {
    const { params } = parseRequest(req, {
      params: deploymentKeyParams,
      query: z.strictObject({}),
    });
    res.json(
      await deployments.get(params, { credentials: await credentials(req) }),
    );
  });

  router.put('/deployments/:environment/:namespace/:name', async (req, res) => {
    const { params, query, idempotencyKey } = parseRequest(req, {
      params: deploymentKeyParams,
      query: changeQuerySchema,
    });
    sendOutcome(
      req,
      res,
      await deployments.update(params, req.body, {
        ...query,
        idempotencyKey,
        credentials: await userCredentials(req),
      }),
    );
  });

  router.delete(
    '/deployments/:environment/:namespace/:name',
    async (req, res) => {
      const { params, query, idempotencyKey } = parseRequest(req, {
        params: deploymentKeyParams,
        query: changeQuerySchema,
      });
      sendOutcome(
        req,
        res,
        await deployments.delete(params, {
          ...query,
          idempotencyKey,
          credentials: await userCredentials(req),
        }),
      );
    },
  );

  router.post(
    '/deployments/:environment/:namespace/:name/restart',
    async (req, res) => {
      const { params, query, idempotencyKey } = parseRequest(req, {
        params: deploymentKeyParams,
        query: changeQuerySchema,
      });
      sendOutcome(
        req,
        res,
        await deployments.restart(params, {
          ...query,
          idempotencyKey,
          credentials: await userCredentials(req),
        }),
      );
    },
  );

  router.post(
    '/deployments/:environment/:namespace/:name/rollback',
    async (req, res) => {
      const { params, query, body, idempotencyKey } = parseRequest(req, {
        params: deploymentKeyParams,
        query: changeQuerySchema,
        body: rollbackBody,
      });
      sendOutcome(
        req,
        res,
        await deployments.rollback(
          params,
          { revision: body?.revision },
          {
            ...query,
            idempotencyKey,
            credentials: await userCredentials(req),
          },
        ),
      );
    },
  );

  router.get(
    '/deployments/:environment/:namespace/:name/history',
    async (req, res) => {
      const { params } = parseRequest(req, {
        params: deploymentKeyParams,
        query: z.strictObject({}),
      });
      res.json({
        items: await deployments.history(params, {
          credentials: await credentials(req),
        }),
      });
    },
  );

  return router;
}
