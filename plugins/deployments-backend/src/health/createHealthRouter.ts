import { HttpAuthService } from '@backstage/backend-plugin-api';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { entityParams, flag, parseRequest } from '../router/requestParts';
import { HealthService } from './HealthService';

/**
 * `GET /entities/:kind/:namespace/:name/health[?refresh=true]`: the Service
 * Health tab. Thin: parse, call the HealthService, answer.
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

  return router;
}
