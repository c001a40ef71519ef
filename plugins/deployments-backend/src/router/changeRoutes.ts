import { HttpAuthService } from '@backstage/backend-plugin-api';
import { DeploymentService } from '@deployments-portal/backstage-plugin-deployments-node';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { idParams, parseRequest, seconds } from './requestParts';

/** GET /changes/:id (follow a change, `?wait=` up to 300 s) and POST /changes/:id/cancel. */
export function createChangeRoutes(options: {
  httpAuth: HttpAuthService;
  deployments: DeploymentService;
}): express.Router {
  const { httpAuth, deployments } = options;
  const router = Router();

  router.get('/changes/:id', async (req, res) => {
    const { params, query } = parseRequest(req, {
      params: idParams,
      query: z.strictObject({ wait: seconds(300).optional() }),
    });
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    res.json(
      await deployments.getChange(params.id, { credentials, wait: query.wait }),
    );
  });

  router.post('/changes/:id/cancel', async (req, res) => {
    const { params } = parseRequest(req, {
      params: idParams,
      query: z.strictObject({}),
    });
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    res.json(await deployments.cancelChange(params.id, { credentials }));
  });

  return router;
}
