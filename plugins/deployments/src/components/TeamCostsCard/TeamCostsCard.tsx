import Grid from '@material-ui/core/Grid';
import { Table, TableColumn } from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import {
  DeploymentsDashboard,
  formatMoney,
  TeamEnvironmentCost,
} from '@deployments-portal/backstage-plugin-deployments-common';

const columns: TableColumn<TeamEnvironmentCost>[] = [
  {
    title: 'Team',
    field: 'team',
    render: row =>
      row.team && row.team !== 'unknown' ? (
        <EntityRefLink entityRef={row.team} defaultKind="group" />
      ) : (
        <>unowned</>
      ),
  },
  { title: 'Environment', field: 'environment' },
  { title: 'Deployments', field: 'deployments', type: 'numeric' },
  {
    title: 'Per month',
    field: 'monthly',
    type: 'numeric',
    render: row => formatMoney(row.monthly, row.currency),
  },
  {
    title: 'At most replicas',
    field: 'monthlyMax',
    type: 'numeric',
    render: row => formatMoney(row.monthlyMax, row.currency),
  },
];

/**
 * What runs now costs a month, per team and environment, at the
 * environments' configured prices, as an item of the dashboard's grid.
 * Nothing without prices.
 */
export function TeamCostsCard(props: { dashboard: DeploymentsDashboard }) {
  const costs = props.dashboard.costs ?? [];
  if (costs.length === 0) {
    return null;
  }
  return (
    <Grid item xs={12} data-testid="dashboard-costs">
      <Table<TeamEnvironmentCost>
        title="Estimated monthly cost of what runs now, per team"
        subtitle="At the prices of each environment (autoscaled deployments at their minimum; their maximum in the last column)"
        columns={columns}
        data={costs}
        options={{
          search: false,
          paging: false,
          padding: 'dense',
          sorting: true,
          // A drag handle inside each sort button: axe's nested-interactive.
          draggable: false,
        }}
      />
    </Grid>
  );
}
