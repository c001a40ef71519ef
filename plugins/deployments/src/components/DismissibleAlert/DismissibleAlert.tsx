import { ReactNode } from 'react';
import Box from '@material-ui/core/Box';
import Alert from '@material-ui/lab/Alert';

/** An alert the user can close, in a box that spaces it from its neighbours. */
export function DismissibleAlert(props: {
  severity: 'success' | 'info' | 'warning' | 'error';
  onClose: () => void;
  children: ReactNode;
  /** Space above, in theme spacing units. */
  mt?: number;
  /** Space below, in theme spacing units. */
  mb?: number;
}) {
  const { severity, onClose, children, mt, mb } = props;
  return (
    <Box mt={mt} mb={mb}>
      <Alert severity={severity} onClose={onClose}>
        {children}
      </Alert>
    </Box>
  );
}
