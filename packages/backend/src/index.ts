/*
 * The portal's backend: Backstage core plugins plus the deployments suite.
 */

// Metrics first, so every plugin's meters report to Prometheus.
import { prometheusExporter } from './instrumentation';
import { createBackend } from '@backstage/backend-defaults';
import { authModuleDevUsersProvider } from './modules/devUsersAuth';
import { prometheusEndpoint } from './modules/prometheusEndpoint';
import { serializedStartupDatabaseServiceFactory } from './modules/startupLock';

const backend = createBackend();

// Replicas on PostgreSQL start one at a time (migrations run once).
backend.add(serializedStartupDatabaseServiceFactory);

// GET /metrics on its own port (metrics.prometheus in app-config.yaml)
backend.add(prometheusEndpoint(prometheusExporter));

backend.add(import('@backstage/plugin-app-backend'));

// auth: your OpenID Connect provider in production (app-config.production.yaml);
// guest and example-user sign-in for local use only (see app-config.yaml;
// both are absent from app-config.production.yaml)
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-oidc-provider'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));
backend.add(authModuleDevUsersProvider);

// catalog
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));
backend.add(
  import(
    '@deployments-portal/backstage-plugin-catalog-backend-module-deployments'
  ),
);

// scaffolder (software templates)
backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(
  import('@backstage/plugin-scaffolder-backend-module-notifications'),
);
backend.add(
  import(
    '@deployments-portal/backstage-plugin-scaffolder-backend-module-deployments'
  ),
);

// deployments suite
backend.add(import('@deployments-portal/backstage-plugin-deployments-backend'));

// kubernetes (the standard Kubernetes tab, same clusters as the suite)
backend.add(import('@backstage/plugin-kubernetes-backend'));

// techdocs
backend.add(import('@backstage/plugin-techdocs-backend'));

// permissions: the deployments RBAC policy (docs/docs/administration.md)
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(
  import(
    '@deployments-portal/backstage-plugin-permission-backend-module-deployments-policy'
  ),
);

// search
backend.add(import('@backstage/plugin-search-backend'));
backend.add(import('@backstage/plugin-search-backend-module-pg'));
backend.add(import('@backstage/plugin-search-backend-module-catalog'));
backend.add(import('@backstage/plugin-search-backend-module-techdocs'));

// user settings, notifications and signals
backend.add(import('@backstage/plugin-user-settings-backend'));
backend.add(import('@backstage/plugin-notifications-backend'));
backend.add(import('@backstage/plugin-signals-backend'));

backend.start();
