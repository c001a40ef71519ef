import { useEffect, useState } from 'react';
import Grid from '@material-ui/core/Grid';
import {
  Content,
  ContentHeader,
  Header,
  InfoCard,
  Page,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  DeploymentsDashboard,
  InsightsWindowDays,
} from '@deployments-portal/backstage-plugin-deployments-common';
import useAsync from 'react-use/esm/useAsync';
import { DashboardFilter, deploymentsApiRef } from '../../api';
import { AuditTrail } from '../AuditTrail';
import { DeliveryInsightsPanel } from '../DeliveryInsights';
import { EnvironmentsTable } from '../EnvironmentsTable';
import { TeamCostsCard } from '../TeamCostsCard';
import { ApprovalsLink } from './ApprovalsLink';
import { DashboardFilters } from './DashboardFilters';
import {
  DeploymentsTable,
  FiguresTable,
  FirstDeploymentsTable,
  RecentFailuresTable,
} from './DashboardTables';

function teamsOf(dashboard: DeploymentsDashboard): string[] {
  return [
    ...dashboard.deployments.map(d => d.team),
    ...dashboard.figures.map(f => f.team),
    ...dashboard.firstDeployments.map(f => f.team),
  ].filter(Boolean);
}

/**
 * All deployments by team and environment, recent failures and the delivery
 * figures (success rate, mean deploy time, mean time to recovery, time to
 * first deployment).
 *
 * @public
 */
export function DeploymentsDashboardPage() {
  const api = useApi(deploymentsApiRef);
  const [filter, setFilter] = useState<DashboardFilter>({});
  // One window for the insights and the figures' tables.
  const [windowDays, setWindowDays] = useState<InsightsWindowDays>(30);
  const [teams, setTeams] = useState<string[]>([]);
  // The configured environments, in order, as the last answer named them.
  const [environments, setEnvironments] = useState<string[]>([]);
  const { value, loading, error } = useAsync(
    () => api.getDashboard({ ...filter, windowDays }),
    [api, filter.team, filter.environment, windowDays],
  );

  // Teams seen so far stay selectable when a filter narrows the answer.
  useEffect(() => {
    if (value) {
      setTeams(known =>
        Array.from(new Set([...known, ...teamsOf(value)])).sort(),
      );
      setEnvironments(value.environments);
    }
  }, [value]);

  return (
    <Page themeId="tool">
      <Header
        title="Deployments"
        subtitle={
          environments.length > 0
            ? `Self-service deployments to ${environments.join(' → ')}`
            : 'Self-service deployments'
        }
      />
      <Content>
        <ContentHeader title="Delivery by team and environment">
          <ApprovalsLink />
        </ContentHeader>
        <DashboardFilters
          teams={teams}
          environments={environments}
          value={filter}
          onChange={setFilter}
        />
        {error && <ResponseErrorPanel error={error} />}
        {!error && loading && !value && <Progress />}
        {value && !error && (
          <Grid container spacing={3}>
            {loading && (
              <Grid item xs={12}>
                <Progress />
              </Grid>
            )}
            <Grid item xs={12}>
              <InfoCard title="Delivery insights">
                <DeliveryInsightsPanel
                  filter={filter}
                  windowDays={windowDays}
                  onWindowDaysChange={setWindowDays}
                />
              </InfoCard>
            </Grid>
            <Grid item xs={12} data-testid="dashboard-figures">
              <FiguresTable
                figures={value.figures}
                environments={value.environments}
                windowDays={windowDays}
              />
            </Grid>
            <TeamCostsCard dashboard={value} />
            <Grid item xs={12} data-testid="dashboard-failures">
              <RecentFailuresTable failures={value.recentFailures} />
            </Grid>
            <Grid item xs={12} data-testid="dashboard-deployments">
              <DeploymentsTable deployments={value.deployments} />
            </Grid>
            <Grid item xs={12} data-testid="dashboard-first-deployments">
              <FirstDeploymentsTable
                firstDeployments={value.firstDeployments}
                windowDays={windowDays}
              />
            </Grid>
          </Grid>
        )}
        <Grid container spacing={3}>
          <Grid item xs={12} style={{ marginTop: 24 }}>
            <EnvironmentsTable />
          </Grid>
          <Grid item xs={12} data-testid="dashboard-audit">
            <AuditTrail
              title="Audit trail (all applications)"
              filter={
                filter.environment ? { environment: filter.environment } : {}
              }
            />
          </Grid>
        </Grid>
      </Content>
    </Page>
  );
}
