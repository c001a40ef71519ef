import {
  createExternalRouteRef,
  createRouteRef,
} from '@backstage/core-plugin-api';

// Created with core-plugin-api so that one set of refs serves both frontend
// systems: these refs implement the legacy and the new routing interfaces
// (core-compat-api's convertLegacyRouteRef hands them through unchanged).

/** The deployments dashboard page. */
export const rootRouteRef = createRouteRef({ id: 'deployments' });

/**
 * The Approvals page, `/deployments/approvals` (a request's own page is
 * `/deployments/approvals/<id>`, the link the backend and the scaffolder
 * actions hand out: approvalLink in -common).
 */
export const approvalsRouteRef = createRouteRef({
  id: 'deployments:approvals',
});

/** The Deployments tab (legacy mount point). */
export const entityDeploymentsRouteRef = createRouteRef({
  id: 'deployments:entity-deployments',
});

/** The Service Health tab (legacy mount point). */
export const entityServiceHealthRouteRef = createRouteRef({
  id: 'deployments:entity-service-health',
});

/**
 * A scaffolder template's page, for the Deploy and Promote buttons. Bound by
 * default to the scaffolder's `selectedTemplate` route
 * (`/create/templates/:namespace/:templateName`).
 */
export const scaffolderTemplateRouteRef = createExternalRouteRef({
  id: 'deployments:scaffolder-template',
  optional: true,
  params: ['namespace', 'templateName'],
  defaultTarget: 'scaffolder.selectedTemplate',
});

/**
 * A scaffolder task's page, for the task links of approvals and the audit
 * trail. Bound by default to the scaffolder's `ongoingTask` route
 * (`/create/tasks/:taskId`).
 */
export const scaffolderTaskRouteRef = createExternalRouteRef({
  id: 'deployments:scaffolder-task',
  optional: true,
  params: ['taskId'],
  defaultTarget: 'scaffolder.ongoingTask',
});

/**
 * A TechDocs page, for the "Why, and how to fix it" links of the policy
 * preview. Bound by default to TechDocs' `docRoot` route
 * (`/docs/:namespace/:kind/:name`); the entity is
 * `deployments.docs.entityRef` (default `component:default/deployments-portal`).
 */
export const techdocsRouteRef = createExternalRouteRef({
  id: 'deployments:techdocs',
  optional: true,
  params: ['namespace', 'kind', 'name'],
  defaultTarget: 'techdocs.docRoot',
});
