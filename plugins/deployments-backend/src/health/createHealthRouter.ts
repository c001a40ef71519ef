import { HttpAuthService } from '@backstage/backend-plugin-api';
import { makeValidator } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import express from 'express';
import Router from 'express-promise-router';
import { HealthService } from './HealthService';

const validator = makeValidator();

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
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const { kind, namespace, name } = req.params;
    if (!validator.isValidKind(kind)) {
      throw new InputError(
        `kind '${kind}' is not a valid entity kind, e.g. component`,
      );
    }
    if (!validator.isValidNamespace(namespace)) {
      throw new InputError(
        `namespace '${namespace}' is not a valid entity namespace, e.g. default`,
      );
    }
    if (!validator.isValidEntityName(name)) {
      throw new InputError(
        `name '${name}' is not a valid entity name (letters, digits, '-', '_', '.'; at most 63 characters)`,
      );
    }
    const refresh = req.query.refresh;
    if (refresh !== undefined && refresh !== 'true' && refresh !== 'false') {
      throw new InputError(
        `refresh must be 'true' or 'false', got '${String(refresh)}'`,
      );
    }
    res.json(
      await health.getEntityHealth(
        { kind, namespace, name },
        { credentials, refresh: refresh === 'true' },
      ),
    );
  });

  return router;
}
