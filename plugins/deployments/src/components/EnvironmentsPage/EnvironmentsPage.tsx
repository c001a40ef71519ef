import {
  Content,
  Header,
  Page,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { EnvironmentSummary } from '@internal/backstage-plugin-deployments-common';
import useAsync from 'react-use/esm/useAsync';
import { deploymentsApiRef } from '../../api';

const columns: TableColumn<EnvironmentSummary>[] = [
  { title: 'Environment', field: 'name' },
  { title: 'Cluster', field: 'cluster' },
  { title: 'Namespace pattern', field: 'namespacePattern' },
  {
    title: 'Approval',
    field: 'requiresApproval',
    render: env => (env.requiresApproval ? 'required' : 'not required'),
  },
];

export function EnvironmentsPage() {
  const deploymentsApi = useApi(deploymentsApiRef);
  const { value, loading, error } = useAsync(
    () => deploymentsApi.listEnvironments(),
    [deploymentsApi],
  );

  return (
    <Page themeId="tool">
      <Header
        title="Deployments"
        subtitle="Self-service deployments to development, test, acceptance and production"
      />
      <Content>
        {loading && <Progress />}
        {error && <ResponseErrorPanel error={error} />}
        {value && (
          <Table
            title="Environments (OTAP order)"
            options={{ paging: false, search: false, sorting: false }}
            columns={columns}
            data={value}
          />
        )}
      </Content>
    </Page>
  );
}
