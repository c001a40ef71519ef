import { memo } from 'react';
import {
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { EnvironmentSummary } from '@deployments-portal/backstage-plugin-deployments-common';
import useAsync from 'react-use/esm/useAsync';
import { deploymentsApiRef } from '../../api';
import { FITTING_TABLE } from '../../lib/tables';
import { TruncatedText } from '../TruncatedText';

const columns: TableColumn<EnvironmentSummary>[] = [
  { title: 'Environment', field: 'name', width: '18%' },
  { title: 'Cluster', field: 'cluster', width: '18%' },
  {
    title: 'Namespace pattern',
    field: 'namespacePattern',
    width: '28%',
    render: env => <TruncatedText text={env.namespacePattern} />,
  },
  {
    title: 'Production',
    field: 'production',
    width: '14%',
    render: env => (env.production ? 'yes' : 'no'),
  },
  {
    title: 'Approval',
    field: 'requiresApproval',
    width: '22%',
    render: env => (env.requiresApproval ? 'required' : 'not required'),
  },
];

/** The environments in their promotion order, with cluster and approval rule. */
export const EnvironmentsTable = memo(function EnvironmentsTableView() {
  const deploymentsApi = useApi(deploymentsApiRef);
  const { value, loading, error } = useAsync(
    () => deploymentsApi.listEnvironments(),
    [deploymentsApi],
  );

  if (loading) {
    return <Progress />;
  }
  if (error) {
    return <ResponseErrorPanel error={error} />;
  }
  return (
    <Table
      title="Environments (promotion order)"
      options={{
        ...FITTING_TABLE,
        paging: false,
        search: false,
        sorting: false,
      }}
      columns={columns}
      data={value ?? []}
    />
  );
});
