import { HttpAuthService } from '@backstage/backend-plugin-api';
import { makeValidator } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  DeploymentKey,
  isDns1123Label,
  isEnvironmentName,
} from '@internal/backstage-plugin-deployments-common';
import { DeploymentService } from '@internal/backstage-plugin-deployments-node';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import { readFileSync } from 'node:fs';
import { PolicyRegistry } from './service/PolicyRegistry';
import { createHealthRouter } from './health/createHealthRouter';
import { HealthService } from './health/HealthService';
import {
  createGovernanceRouter,
  requireCredentials,
  sendOutcome,
  taskIdOf,
} from './governanceRouter';
import { AuditLog } from './service/AuditLog';

function keyOf(req: Request): DeploymentKey {
  const { environment, namespace, name } = req.params;
  if (!isEnvironmentName(environment)) {
    throw new InputError(
      `environment '${environment}' is not one of development, test, acceptance, production`,
    );
  }
  for (const [field, value] of [
    ['namespace', namespace],
    ['name', name],
  ] as const) {
    if (value !== undefined && !isDns1123Label(value)) {
      throw new InputError(`${field} '${value}' is not a DNS-1123 label`);
    }
  }
  return { environment, namespace, name };
}

function optionalNumber(value: unknown, field: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number)) {
    throw new InputError(`${field} must be a number, got '${value}'`);
  }
  return number;
}

const entityNames = makeValidator();

/** The entity ref of /entities/:kind/:namespace/:name routes. */
function entityRefOf(req: Request): string {
  const { kind, namespace, name } = req.params;
  for (const [field, value, valid] of [
    ['kind', kind, entityNames.isValidKind(kind)],
    ['namespace', namespace, entityNames.isValidNamespace(namespace)],
    ['name', name, entityNames.isValidEntityName(name)],
  ] as const) {
    if (!valid) {
      throw new InputError(
        `entity ${field} '${value}' is not valid; use /entities/<kind>/<namespace>/<name>, e.g. /entities/component/default/payments-api`,
      );
    }
  }
  return `${kind}:${namespace}/${name}`;
}

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
  openApiPath: string;
}): Promise<express.Router> {
  const { httpAuth, deployments, policies } = options;
  const openApi = readFileSync(options.openApiPath, 'utf8');
  const router = Router();
  router.use(express.json({ limit: '256kb' }));

  const credentials = (req: Request) =>
    httpAuth.credentials(req, { allow: ['user', 'service'] });
  const userCredentials = (req: Request) =>
    httpAuth.credentials(req, { allow: ['user'] });

  // Liveness of the plugin itself; the only route open without credentials.
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  // GET /entities/:kind/:namespace/:name/health (the Service Health tab)
  router.use(createHealthRouter({ httpAuth, health: options.health }));

  // Refused calls (no or bad credentials) on /deployments and /approvals
  // are audited; see plugin.ts for why the barrier lets them through.
  router.use(requireCredentials({ httpAuth, audit: options.audit }));
  router.use(createGovernanceRouter({ httpAuth, deployments }));

  router.get('/openapi.yaml', async (req, res) => {
    await credentials(req);
    res.type('application/yaml').send(openApi);
  });

  router.get('/environments', async (req, res) => {
    res.json({
      items: await deployments.listEnvironments({
        credentials: await credentials(req),
      }),
    });
  });

  router.get('/policies', async (req, res) => {
    await credentials(req);
    res.json({ items: policies.describe() });
  });

  router.post('/validate', async (req, res) => {
    res.json(
      await deployments.validate(req.body, {
        credentials: await userCredentials(req),
      }),
    );
  });

  router.post('/deployments', async (req, res) => {
    const outcome = await deployments.deploy(req.body, {
      credentials: await userCredentials(req),
      dryRun: req.query.dryRun === 'true',
      timeoutSeconds: optionalNumber(
        req.query.timeoutSeconds,
        'timeoutSeconds',
      ),
      taskId: taskIdOf(req),
    });
    sendOutcome(res, outcome, req.query.dryRun === 'true' ? 200 : 201);
  });

  router.get('/deployments/:environment/:namespace', async (req, res) => {
    const { environment, namespace } = keyOf(req);
    res.json({
      items: await deployments.list(
        { environment, namespace },
        { credentials: await credentials(req) },
      ),
    });
  });

  router.get('/deployments/:environment/:namespace/:name', async (req, res) => {
    res.json(
      await deployments.get(keyOf(req), {
        credentials: await credentials(req),
      }),
    );
  });

  router.put('/deployments/:environment/:namespace/:name', async (req, res) => {
    sendOutcome(
      res,
      await deployments.update(keyOf(req), req.body, {
        credentials: await userCredentials(req),
        timeoutSeconds: optionalNumber(
          req.query.timeoutSeconds,
          'timeoutSeconds',
        ),
        taskId: taskIdOf(req),
      }),
    );
  });

  router.delete(
    '/deployments/:environment/:namespace/:name',
    async (req, res) => {
      sendOutcome(
        res,
        await deployments.delete(keyOf(req), {
          credentials: await userCredentials(req),
          taskId: taskIdOf(req),
        }),
      );
    },
  );

  router.post(
    '/deployments/:environment/:namespace/:name/restart',
    async (req, res) => {
      res.json(
        await deployments.restart(keyOf(req), {
          credentials: await userCredentials(req),
          taskId: taskIdOf(req),
        }),
      );
    },
  );

  router.post(
    '/deployments/:environment/:namespace/:name/rollback',
    async (req, res) => {
      sendOutcome(
        res,
        await deployments.rollback(
          keyOf(req),
          { revision: optionalNumber(req.body?.revision, 'revision') },
          {
            credentials: await userCredentials(req),
            timeoutSeconds: optionalNumber(
              req.query.timeoutSeconds,
              'timeoutSeconds',
            ),
            taskId: taskIdOf(req),
          },
        ),
      );
    },
  );

  router.get(
    '/deployments/:environment/:namespace/:name/history',
    async (req, res) => {
      res.json({
        items: await deployments.history(keyOf(req), {
          credentials: await credentials(req),
        }),
      });
    },
  );

  router.get(
    '/entities/:kind/:namespace/:name/deployments',
    async (req, res) => {
      const caller = await credentials(req);
      res.json(
        await deployments.listForEntity(entityRefOf(req), {
          credentials: caller,
        }),
      );
    },
  );

  router.get('/dashboard', async (req, res) => {
    const caller = await credentials(req);
    res.json(
      await deployments.dashboard(dashboardFilterOf(req), {
        credentials: caller,
      }),
    );
  });

  return router;
}
