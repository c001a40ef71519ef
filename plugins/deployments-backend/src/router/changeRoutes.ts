import { HttpAuthService } from '@backstage/backend-plugin-api';
import { DeploymentService } from '@internal/backstage-plugin-deployments-node';
import express from 'express';
import Router from 'express-promise-router';
import { changeIdOf, waitOf } from './params';

/** GET /changes/:id (follow a change, `?wait=` up to 300 s) and POST /changes/:id/cancel. */
export function createChangeRoutes(options: {
  httpAuth: HttpAuthService;
  deployments: DeploymentService;
}): express.Router {
  const { httpAuth, deployments } = options;
  const router = Router();

  router.get('/changes/:id', async (req, res) => {
    const id = changeIdOf(req);
    const wait = waitOf(req);
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    res.json(await deployments.getChange(id, { credentials, wait }));
  });

  router.post('/changes/:id/cancel', async (req, res) => {
    const id = changeIdOf(req);
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    res.json(await deployments.cancelChange(id, { credentials }));
  });

  return router;
}
