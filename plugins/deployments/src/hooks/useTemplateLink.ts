import { useCallback } from 'react';
import { useRouteRef } from '@backstage/core-plugin-api';
import { scaffolderTemplateRouteRef } from '../routes';

/** The software templates behind the Deploy and Promote buttons. */
export const DEPLOY_TEMPLATE = 'deploy-application';
export const PROMOTE_TEMPLATE = 'promote-application';
const TEMPLATE_NAMESPACE = 'default';

/**
 * Where the scaffolder lives when the `scaffolderTemplate` external route is
 * not bound (an app without the scaffolder's routes): its default mount path.
 */
export const FALLBACK_SCAFFOLDER_PATH = '/create';

/**
 * A function that builds the link to a template's form, pre-filled through
 * the scaffolder's `formData` query parameter.
 */
export function useTemplateLink(): (
  templateName: string,
  formData: Record<string, unknown>,
) => string {
  // core-plugin-api's hook resolves in both frontend systems.
  const templateRoute = useRouteRef(scaffolderTemplateRouteRef);
  return useCallback(
    (templateName, formData) => {
      const path = templateRoute
        ? templateRoute({ namespace: TEMPLATE_NAMESPACE, templateName })
        : `${FALLBACK_SCAFFOLDER_PATH}/templates/${TEMPLATE_NAMESPACE}/${templateName}`;
      return `${path}?formData=${encodeURIComponent(JSON.stringify(formData))}`;
    },
    [templateRoute],
  );
}
