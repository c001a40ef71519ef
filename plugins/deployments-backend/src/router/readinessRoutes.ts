import { HttpAuthService } from '@backstage/backend-plugin-api';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { ReadinessChecklist } from '../readiness/ReadinessChecklist';
import { entityParams, parseRequest } from './requestParts';

/** `GET /entities/:kind/:namespace/:name/readiness`: the readiness checklist. */
export function createReadinessRoutes(options: {
  httpAuth: HttpAuthService;
  readiness: ReadinessChecklist;
}): express.Router {
  const { httpAuth, readiness } = options;
  const router = Router();

  router.get('/entities/:kind/:namespace/:name/readiness', async (req, res) => {
    const { params } = parseRequest(req, {
      params: entityParams,
      query: z.strictObject({}),
    });
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    res.json(
      await readiness.forEntity(
        `${params.kind}:${params.namespace}/${params.name}`,
        credentials,
      ),
    );
  });

  return router;
}
