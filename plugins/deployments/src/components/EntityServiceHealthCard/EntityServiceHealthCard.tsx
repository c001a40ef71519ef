import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import Box from '@material-ui/core/Box';
import ListItemText from '@material-ui/core/ListItemText';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  entityRouteParams,
  entityRouteRef,
  useEntity,
} from '@backstage/plugin-catalog-react';
import { EnvironmentHealth } from '@deployments-portal/backstage-plugin-deployments-common';
import {
  DEFAULT_HEALTH_REFRESH_MS,
  useEntityHealth,
} from '../../hooks/useEntityHealth';
import { podsReady, unreachableReason } from '../../lib/health';
import { StatusChip } from '../shared';

/** @public */
export type EntityServiceHealthCardProps = {
  /** How often to read the health again, in ms; 0 turns it off. Default 15 s. */
  refreshIntervalMs?: number;
  /**
   * Path of the Service Health tab below the entity page, for the card's
   * link. Default `service-health` (the new frontend system's tab).
   */
  tabPath?: string;
};

function summary(env: EnvironmentHealth): string {
  if (env.state === 'unreachable') {
    return unreachableReason(env);
  }
  if (env.state === 'not-deployed') {
    return 'not deployed';
  }
  const parts = [];
  const liveness = env.probes?.liveness;
  if (liveness?.responseTimeMs !== undefined) {
    parts.push(`/health ${Math.round(liveness.responseTimeMs)} ms`);
  }
  if (env.probes?.readiness.database) {
    parts.push(`database ${env.probes.readiness.database}`);
  }
  const pods = podsReady(env);
  if (pods) {
    parts.push(`${pods} pods ready`);
  }
  if (env.events.length > 0) {
    parts.push(
      `${env.events.length} warning${env.events.length === 1 ? '' : 's'}`,
    );
  }
  return parts.join(' · ');
}

/**
 * The health of an application at a glance, for the entity overview page.
 *
 * @public
 */
export function EntityServiceHealthCard(props: EntityServiceHealthCardProps) {
  const { entity } = useEntity();
  const entityRoute = useRouteRef(entityRouteRef);
  const { value, error } = useEntityHealth(
    stringifyEntityRef(entity),
    props.refreshIntervalMs ?? DEFAULT_HEALTH_REFRESH_MS,
  );
  const tabPath = props.tabPath ?? 'service-health';

  return (
    <InfoCard
      title="Service health"
      action={
        value && (
          <span data-testid="overall-health">
            <StatusChip kind="health" status={value.state} />
          </span>
        )
      }
      deepLink={{
        title: 'View service health',
        link: `${entityRoute(entityRouteParams(entity))}/${tabPath}`,
      }}
    >
      {!value && error && <ResponseErrorPanel error={error} />}
      {!value && !error && <Progress />}
      {value && (
        <List dense disablePadding>
          {value.environments.map(env => (
            <ListItem
              key={env.environment}
              disableGutters
              data-testid={`card-${env.environment}`}
            >
              <ListItemText
                primary={env.environment}
                secondary={summary(env)}
              />
              <Box ml={2} flexShrink={0}>
                <StatusChip kind="health" status={env.state} />
              </Box>
            </ListItem>
          ))}
        </List>
      )}
    </InfoCard>
  );
}
