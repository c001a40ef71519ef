import { HttpAuthService } from '@backstage/backend-plugin-api';
import { DeploymentService } from '@deployments-portal/backstage-plugin-deployments-node';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import {
  callerCredentials,
  entityParams,
  entityRefFilter,
  environmentName,
  parseRequest,
  teamFilter,
} from './requestParts';

/** `?window=`: the days the delivery figures look back over. */
const insightsWindow = z.enum(['7', '30', '90'], {
  error: 'must be 7, 30 or 90 (days)',
});

/** The read models: an application's Deployments tab, the dashboard and the delivery insights. */
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
        window: insightsWindow.optional(),
      }),
    });
    res.json(
      await deployments.dashboard(
        {
          team: query.team,
          environment: query.environment,
          windowDays: query.window ? Number(query.window) : undefined,
        },
        { credentials: await credentials(req) },
      ),
    );
  });

  router.get('/insights', async (req, res) => {
    const { query } = parseRequest(req, {
      query: z.strictObject({
        window: insightsWindow.optional(),
        team: teamFilter.optional(),
        environment: environmentName.optional(),
        entityRef: entityRefFilter.optional(),
      }),
    });
    res.json(
      await deployments.insights(
        {
          windowDays: query.window ? Number(query.window) : undefined,
          team: query.team,
          environment: query.environment,
          entityRef: query.entityRef,
        },
        { credentials: await credentials(req) },
      ),
    );
  });

  return router;
}
