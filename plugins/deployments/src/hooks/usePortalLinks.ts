import { useMemo } from 'react';
import { parseEntityRef } from '@backstage/catalog-model';
import {
  configApiRef,
  RouteRef,
  useApi,
  useRouteRef,
} from '@backstage/core-plugin-api';
import {
  approvalsRouteRef,
  scaffolderTaskRouteRef,
  techdocsRouteRef,
} from '../routes';
import { FALLBACK_SCAFFOLDER_PATH } from './useTemplateLink';
import { DEFAULT_APPROVALS_PATH } from '@deployments-portal/backstage-plugin-deployments-common';

/** Where the approvals page is when the app does not mount it. */
export const FALLBACK_APPROVALS_PATH = DEFAULT_APPROVALS_PATH;
/** Where TechDocs is when its route is not bound. */
export const FALLBACK_TECHDOCS_PATH = '/docs';
/** The catalog entity whose TechDocs are the suite's documentation. */
export const DEFAULT_DOCS_ENTITY = 'component:default/deployments-portal';

/** Links between the suite's pages and the scaffolder's and TechDocs'. */
export type PortalLinks = {
  /** The approvals page. */
  approvals: string;
  /** One approval request's page. */
  approval(id: string): string;
  /** A scaffolder task's page. */
  task(taskId: string): string;
  /** A page of the suite's documentation, e.g. `policies/#image-source`. */
  docs(page: string): string;
};

/**
 * A route of the app, or `undefined` where the app does not mount it (the
 * legacy system throws for a route ref without a path).
 */
function useOptionalRoute(routeRef: RouteRef): (() => string) | undefined {
  try {
    return useRouteRef(routeRef);
  } catch {
    return undefined;
  }
}

/**
 * The suite's links, through route refs and external route refs (so an app
 * may mount the pages anywhere), with the default paths as fallbacks when a
 * route is not there.
 */
export function usePortalLinks(): PortalLinks {
  const approvalsRoute = useOptionalRoute(approvalsRouteRef);
  const taskRoute = useRouteRef(scaffolderTaskRouteRef);
  const docsRoute = useRouteRef(techdocsRouteRef);
  const docsEntity =
    useApi(configApiRef).getOptionalString('deployments.docs.entityRef') ??
    DEFAULT_DOCS_ENTITY;
  return useMemo(() => {
    const approvals = approvalsRoute?.() ?? FALLBACK_APPROVALS_PATH;
    const entity = parseEntityRef(docsEntity, {
      defaultKind: 'component',
      defaultNamespace: 'default',
    });
    const docsParams = {
      namespace: entity.namespace,
      kind: entity.kind.toLocaleLowerCase('en-US'),
      name: entity.name,
    };
    const docsRoot = docsRoute
      ? docsRoute(docsParams)
      : `${FALLBACK_TECHDOCS_PATH}/${docsParams.namespace}/${docsParams.kind}/${docsParams.name}`;
    return {
      approvals,
      approval: id => `${approvals}/${encodeURIComponent(id)}`,
      task: taskId =>
        taskRoute
          ? taskRoute({ taskId })
          : `${FALLBACK_SCAFFOLDER_PATH}/tasks/${encodeURIComponent(taskId)}`,
      docs: page => `${docsRoot.replace(/\/$/, '')}/${page}`,
    };
  }, [approvalsRoute, taskRoute, docsRoute, docsEntity]);
}
