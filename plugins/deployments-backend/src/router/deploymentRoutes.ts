import { HttpAuthService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { DeploymentService } from '@internal/backstage-plugin-deployments-node';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import {
  idempotencyKeyOf,
  keyOf,
  optionalNumber,
  sendOutcome,
  taskIdOf,
  waitOf,
} from './params';

/** `?dryRun=`: exactly true or false. */
function dryRunOf(req: Request): boolean {
  const { dryRun } = req.query;
  if (dryRun === undefined || dryRun === 'false') return false;
  if (dryRun === 'true') return true;
  throw new InputError(
    `dryRun must be true or false, got ${JSON.stringify(dryRun)}`,
  );
}

/**
 * The deployments and the changes to them: POST /deployments (deploy),
 * GET/PUT/DELETE /deployments/:environment/:namespace/:name, restart,
 * rollback and history. Every parameter is read before the call, so a bad
 * one is a 400 before anything is recorded or applied.
 */
export function createDeploymentRoutes(options: {
  httpAuth: HttpAuthService;
  deployments: DeploymentService;
}): express.Router {
  const { httpAuth, deployments } = options;
  const router = Router();
  const credentials = (req: Request) =>
    httpAuth.credentials(req, { allow: ['user', 'service'] });
  const userCredentials = (req: Request) =>
    httpAuth.credentials(req, { allow: ['user'] });
  /** What every mutating call reads besides its body. */
  const changeOptions = async (req: Request) => {
    const parsed = {
      taskId: taskIdOf(req),
      wait: waitOf(req),
      idempotencyKey: idempotencyKeyOf(req),
      timeoutSeconds: optionalNumber(
        req.query.timeoutSeconds,
        'timeoutSeconds',
        'timeout-invalid',
      ),
    };
    return { ...parsed, credentials: await userCredentials(req) };
  };

  router.post('/deployments', async (req, res) => {
    const dryRun = dryRunOf(req);
    const outcome = await deployments.deploy(req.body, {
      ...(await changeOptions(req)),
      dryRun,
    });
    sendOutcome(req, res, outcome);
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
    const key = keyOf(req);
    res.json(
      await deployments.get(key, { credentials: await credentials(req) }),
    );
  });

  router.put('/deployments/:environment/:namespace/:name', async (req, res) => {
    const key = keyOf(req);
    sendOutcome(
      req,
      res,
      await deployments.update(key, req.body, await changeOptions(req)),
    );
  });

  router.delete(
    '/deployments/:environment/:namespace/:name',
    async (req, res) => {
      const key = keyOf(req);
      sendOutcome(
        req,
        res,
        await deployments.delete(key, await changeOptions(req)),
      );
    },
  );

  router.post(
    '/deployments/:environment/:namespace/:name/restart',
    async (req, res) => {
      const key = keyOf(req);
      sendOutcome(
        req,
        res,
        await deployments.restart(key, await changeOptions(req)),
      );
    },
  );

  router.post(
    '/deployments/:environment/:namespace/:name/rollback',
    async (req, res) => {
      const key = keyOf(req);
      const revision = optionalNumber(
        req.body?.revision,
        'revision',
        'rollback-target-invalid',
      );
      sendOutcome(
        req,
        res,
        await deployments.rollback(key, { revision }, await changeOptions(req)),
      );
    },
  );

  router.get(
    '/deployments/:environment/:namespace/:name/history',
    async (req, res) => {
      const key = keyOf(req);
      res.json({
        items: await deployments.history(key, {
          credentials: await credentials(req),
        }),
      });
    },
  );

  return router;
}
