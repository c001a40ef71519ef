import { HttpAuthService } from '@backstage/backend-plugin-api';
import { DeploymentService } from '@deployments-portal/backstage-plugin-deployments-node';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import {
  callerCredentials,
  entityParams,
  environmentName,
  parseRequest,
  teamFilter,
} from './requestParts';

/** The read models: an application's Deployments tab and the dashboard. */
export function createViewRoutes(options: {
  httpAuth: HttpAuthService;
  deployments: DeploymentService;
}): express.Router {
  const { httpAuth, deployments } = options;
  const router = Router();
  const { any: credentials } = callerCredentials(httpAuth);

  router.get(
    '/entities/:kind/:namespace/:name/deployments',
    async (req, res) => {
      const { params } = parseRequest(req, {
        params: entityParams,
        query: z.strictObject({}),
      });
      res.json(
        await deployments.listForEntity(
          `${params.kind}:${params.namespace}/${params.name}`,
          { credentials: await credentials(req) },
        ),
      );
    },
  );

  router.get('/dashboard', async (req, res) => {
    const { query } = parseRequest(req, {
      query: z.strictObject({
        team: teamFilter.optional(),
        environment: environmentName.optional(),
      }),
    });
    res.json(
      await deployments.dashboard(query, {
        credentials: await credentials(req),
      }),
    );
  });

  return router;
}
