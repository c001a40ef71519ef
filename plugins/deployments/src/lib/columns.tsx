import { TableColumn } from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { RelativeTime } from '../components/RelativeTime';

/** One line, cut with an ellipsis where the column ends. */
export const ONE_LINE = {
  display: 'block',
  overflow: 'hidden',
  textOverflow: 'ellipsis',
  whiteSpace: 'nowrap',
} as const;

/** The application of a row, linked to its catalog page. */
export function applicationColumn<
  T extends { entityRef: string },
>(): TableColumn<T> {
  return {
    title: 'Application',
    field: 'entityRef',
    render: row => (
      <span style={ONE_LINE}>
        <EntityRefLink entityRef={row.entityRef} />
      </span>
    ),
  };
}

/** A timestamp of a row, relative ("5 min ago"), the exact time in a tooltip. */
export function dateTimeColumn<K extends string, T extends Record<K, string>>(
  title: string,
  field: K,
  extra: Partial<TableColumn<T>> = {},
): TableColumn<T> {
  return {
    title,
    field,
    render: row => <RelativeTime value={row[field]} />,
    ...extra,
  };
}
