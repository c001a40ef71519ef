import { HttpAuthService } from '@backstage/backend-plugin-api';
import { EnvironmentSummary } from '@internal/backstage-plugin-deployments-common';
import express from 'express';
import Router from 'express-promise-router';

export async function createRouter(options: {
  httpAuth: HttpAuthService;
  environments: EnvironmentSummary[];
}): Promise<express.Router> {
  const { httpAuth, environments } = options;
  const router = Router();
  router.use(express.json());

  // Liveness of the plugin itself; the only route open without credentials.
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/environments', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    res.json({ items: environments });
  });

  return router;
}
