import { TableOptions } from '@backstage/core-components';

/**
 * What every table of the suite shares: fixed column widths, so long text
 * is cut with an ellipsis (whole in a tooltip) instead of widening the card
 * at 1024 px; no draggable column headers (material-table's drag handle put
 * a focusable element inside each sort button: axe's nested-interactive).
 */
export const FITTING_TABLE = {
  draggable: false,
  tableLayout: 'fixed',
  padding: 'dense',
  emptyRowsWhenPaging: false,
} satisfies TableOptions<object>;
