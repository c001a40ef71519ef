import {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { DeploymentService } from '@deployments-portal/backstage-plugin-deployments-node';
import express from 'express';
import Router from 'express-promise-router';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { AuditLog } from '../audit/AuditLog';
import { createHealthRouter } from '../health/createHealthRouter';
import { HealthService } from '../health/HealthService';
import { ReadinessChecklist } from '../readiness/ReadinessChecklist';
import { PolicyRegistry } from '../service/PolicyRegistry';
import { createApprovalRoutes } from './approvalRoutes';
import { createChangeRoutes } from './changeRoutes';
import { requireCredentials } from './credentialsBarrier';
import { createDeploymentRoutes } from './deploymentRoutes';
import { createReadinessRoutes } from './readinessRoutes';
import { jsonBody } from './jsonBody';
import { redactConfigValues } from './redactConfigValues';
import { callerCredentials, parseRequest } from './requestParts';
import { createViewRoutes } from './viewRoutes';

/**
 * The REST API of the deployments plugin (openapi.yaml). Thin: parse,
 * call the DeploymentService, answer. Every route but /health requires
 * credentials.
 */
export async function createRouter(options: {
  httpAuth: HttpAuthService;
  deployments: DeploymentService;
  policies: PolicyRegistry;
  health: HealthService;
  audit: AuditLog;
  permissions: PermissionsService;
  readiness?: ReadinessChecklist;
  openApiPath: string;
}): Promise<express.Router> {
  const { httpAuth, deployments, policies } = options;
  const openApi = readFileSync(options.openApiPath, 'utf8');
  const router = Router();
  const body = jsonBody({ limit: '256kb' });
  router.use(body.parse);

  const { any: credentials, user: userCredentials } =
    callerCredentials(httpAuth);

  // Liveness of the plugin itself; the only route open without credentials.
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  // GET /entities/:kind/:namespace/:name/health (the Service Health tab)
  router.use(createHealthRouter({ httpAuth, health: options.health }));

  // Refused calls (no or bad credentials) on /deployments, /approvals and
  // /changes are audited; see plugin.ts for why the barrier lets them through.
  router.use(requireCredentials({ httpAuth, audit: options.audit }));
  // A key given twice in a body is a 400 on every route, before any of them
  // reads it.
  router.use(body.refuseDuplicates);
  // Plain env values only to those who may read the application's config.
  router.use(
    redactConfigValues({ httpAuth, permissions: options.permissions }),
  );
  router.use(createApprovalRoutes({ httpAuth, deployments }));
  router.use(createChangeRoutes({ httpAuth, deployments }));
  router.use(createDeploymentRoutes({ httpAuth, deployments }));
  router.use(createViewRoutes({ httpAuth, deployments }));
  if (options.readiness) {
    router.use(
      createReadinessRoutes({ httpAuth, readiness: options.readiness }),
    );
  }

  const noQuery = { query: z.strictObject({}) };

  router.get('/openapi.yaml', async (req, res) => {
    parseRequest(req, noQuery);
    await credentials(req);
    res.type('application/yaml').send(openApi);
  });

  router.get('/environments', async (req, res) => {
    parseRequest(req, noQuery);
    res.json({
      items: await deployments.listEnvironments({
        credentials: await credentials(req),
      }),
    });
  });

  router.get('/policies', async (req, res) => {
    parseRequest(req, noQuery);
    await credentials(req);
    res.json({ items: policies.describe() });
  });

  router.post('/validate', async (req, res) => {
    parseRequest(req, noQuery);
    res.json(
      await deployments.validate(req.body, {
        credentials: await userCredentials(req),
      }),
    );
  });

  return router;
}
