import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { Link } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { Alert } from '@material-ui/lab';
import useAsync from 'react-use/esm/useAsync';
import { deploymentsApiRef } from '../../api';

/** The form's application as an entity ref, or undefined while it is not one. */
function applicationRef(application: unknown): string | undefined {
  if (typeof application !== 'string' || !application) return undefined;
  try {
    return stringifyEntityRef(
      parseEntityRef(application, {
        defaultKind: 'component',
        defaultNamespace: 'default',
      }),
    );
  } catch {
    return undefined;
  }
}

/**
 * The gaps of the chosen application's readiness checklist, as warnings
 * next to the policy check. They never block the step; when the checklist
 * cannot be read, nothing is shown (the policy check is what counts).
 */
export function ReadinessWarnings(props: { application: unknown }) {
  const api = useApi(deploymentsApiRef);
  const entityRef = applicationRef(props.application);
  const { value } = useAsync(
    async () => (entityRef ? api.getReadiness(entityRef) : undefined),
    [api, entityRef],
  );
  const gaps = value?.items.filter(item => item.status === 'missing') ?? [];
  return (
    <>
      {gaps.map(item => (
        <Alert
          key={item.id}
          severity="warning"
          style={{ marginBottom: 8 }}
          data-testid={`readiness-warning-${item.id}`}
        >
          Readiness: {item.title} — {item.detail}
          {item.fix && (
            <div>
              <Link to={item.fix.url}>{item.fix.title}</Link>
            </div>
          )}
        </Alert>
      ))}
    </>
  );
}
