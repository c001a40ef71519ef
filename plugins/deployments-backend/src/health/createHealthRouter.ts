import { HttpAuthService } from '@backstage/backend-plugin-api';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import {
  entityParams,
  environmentName,
  flag,
  parseRequest,
  wholeNumber,
} from '../router/requestParts';
import { HealthService } from './HealthService';

/**
 * `GET /entities/:kind/:namespace/:name/health[?refresh=true]` and
 * `…/health/timeline[?environment=&limit=]`: the Service Health tab. Thin:
 * parse, call the HealthService, answer.
 */
export function createHealthRouter(options: {
  httpAuth: HttpAuthService;
  health: HealthService;
}): express.Router {
  const { httpAuth, health } = options;
  const router = Router();

  router.get('/entities/:kind/:namespace/:name/health', async (req, res) => {
    const { params, query } = parseRequest(req, {
      params: entityParams,
      query: z.strictObject({ refresh: flag.optional() }),
    });
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    res.json(
      await health.getEntityHealth(params, {
        credentials,
        refresh: query.refresh ?? false,
      }),
    );
  });

  router.get(
    '/entities/:kind/:namespace/:name/health/timeline',
    async (req, res) => {
      const { params, query } = parseRequest(req, {
        params: entityParams,
        query: z.strictObject({
          environment: environmentName.optional(),
          limit: wholeNumber(1, 500).optional(),
        }),
      });
      const credentials = await httpAuth.credentials(req, {
        allow: ['user', 'service'],
      });
      res.json(
        await health.getTimeline(params, {
          credentials,
          environment: query.environment,
          limit: query.limit,
        }),
      );
    },
  );

  return router;
}
