import { TableColumn } from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { formatDateTime } from './format';

/** The application of a row, linked to its catalog page. */
export function applicationColumn<
  T extends { entityRef: string },
>(): TableColumn<T> {
  return {
    title: 'Application',
    field: 'entityRef',
    render: row => <EntityRefLink entityRef={row.entityRef} />,
  };
}

/** A timestamp of a row, in the user's locale. */
export function dateTimeColumn<K extends string, T extends Record<K, string>>(
  title: string,
  field: K,
  extra: Partial<TableColumn<T>> = {},
): TableColumn<T> {
  return {
    title,
    field,
    render: row => formatDateTime(row[field]),
    ...extra,
  };
}
