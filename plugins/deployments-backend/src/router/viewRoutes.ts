import { HttpAuthService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { isEnvironmentName } from '@internal/backstage-plugin-deployments-common';
import { DeploymentService } from '@internal/backstage-plugin-deployments-node';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import { entityRefOf } from './params';

/** The filters of GET /dashboard. */
function dashboardFilterOf(req: Request) {
  const { team, environment } = req.query;
  if (team !== undefined && (typeof team !== 'string' || !team)) {
    throw new InputError(
      'team must be one group entity ref, e.g. team=group:default/team-payments',
    );
  }
  if (environment !== undefined && !isEnvironmentName(environment)) {
    throw new InputError(
      `environment '${environment}' is not one of development, test, acceptance, production`,
    );
  }
  return { team, environment };
}

/** The read models: an application's Deployments tab and the dashboard. */
export function createViewRoutes(options: {
  httpAuth: HttpAuthService;
  deployments: DeploymentService;
}): express.Router {
  const { httpAuth, deployments } = options;
  const router = Router();
  const credentials = (req: Request) =>
    httpAuth.credentials(req, { allow: ['user', 'service'] });

  router.get(
    '/entities/:kind/:namespace/:name/deployments',
    async (req, res) => {
      const entityRef = entityRefOf(req);
      res.json(
        await deployments.listForEntity(entityRef, {
          credentials: await credentials(req),
        }),
      );
    },
  );

  router.get('/dashboard', async (req, res) => {
    const filter = dashboardFilterOf(req);
    res.json(
      await deployments.dashboard(filter, {
        credentials: await credentials(req),
      }),
    );
  });

  return router;
}
