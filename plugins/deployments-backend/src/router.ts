import { HttpAuthService } from '@backstage/backend-plugin-api';
import { EnvironmentSummary } from '@internal/backstage-plugin-deployments-common';
import { PolicyRegistry } from './service/PolicyRegistry';
import express from 'express';
import Router from 'express-promise-router';

export async function createRouter(options: {
  httpAuth: HttpAuthService;
  environments: EnvironmentSummary[];
  policies: PolicyRegistry;
}): Promise<express.Router> {
  const { httpAuth, environments, policies } = options;
  const router = Router();
  router.use(express.json());

  // Liveness of the plugin itself; the only route open without credentials.
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/environments', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    res.json({
      items: environments.map(
        ({ name, cluster, namespacePattern, requiresApproval }) => ({
          name,
          cluster,
          namespacePattern,
          requiresApproval,
        }),
      ),
    });
  });

  router.get('/policies', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    res.json({ items: policies.describe() });
  });

  return router;
}
