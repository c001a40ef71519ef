import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { deploymentsApiRef } from '../../api';
import { ReadinessList, readinessScore } from './ReadinessList';

/**
 * The readiness checklist of an application, for the entity overview page:
 * a score and every item, each gap with a link to fix it.
 *
 * @public
 */
export function EntityReadinessCard() {
  const { entity } = useEntity();
  const api = useApi(deploymentsApiRef);
  const entityRef = stringifyEntityRef(entity);
  const { value, error, loading } = useAsync(
    async () => api.getReadiness(entityRef),
    [api, entityRef],
  );

  return (
    <InfoCard
      title="Readiness"
      action={
        value && (
          <Typography variant="subtitle1" data-testid="readiness-score">
            {readinessScore(value)}
          </Typography>
        )
      }
    >
      {error && <ResponseErrorPanel error={error} />}
      {loading && <Progress />}
      {value && <ReadinessList items={value.items} />}
    </InfoCard>
  );
}
