import { ReactNode, useState } from 'react';
import Button, { ButtonProps } from '@material-ui/core/Button';
import Tooltip from '@material-ui/core/Tooltip';
import { makeStyles } from '@material-ui/core/styles';
import { LinkButton } from '@backstage/core-components';
import { Allowance } from '../../hooks/useDeploymentPermissions';

type PermissionedButtonProps = {
  allowance: Allowance;
  /** Why the button is disabled when the permission is denied. */
  deniedReason: string;
  children: ReactNode;
  /** A link target instead of a click handler. */
  to?: string;
  onClick?: () => void;
} & Pick<ButtonProps, 'color' | 'variant' | 'size' | 'startIcon'>;

const useStyles = makeStyles(theme => ({
  // Looks like MUI's disabled button, but stays focusable.
  denied: {
    color: theme.palette.action.disabled,
    borderColor: theme.palette.action.disabledBackground,
    backgroundColor: 'transparent',
    boxShadow: 'none',
    cursor: 'not-allowed',
    '&:hover': {
      backgroundColor: 'transparent',
      boxShadow: 'none',
    },
  },
  deniedContained: {
    backgroundColor: theme.palette.action.disabledBackground,
    '&:hover': {
      backgroundColor: theme.palette.action.disabledBackground,
    },
  },
}));

let deniedCount = 0;

/**
 * A button that is disabled, with the reason as tooltip, when the permission
 * framework denies its action. It stays in the tab order (`aria-disabled`,
 * not `disabled`) with the reason as its accessible description, so keyboard
 * and screen reader users learn why too. The backend checks the permission
 * again.
 */
export function PermissionedButton(props: PermissionedButtonProps) {
  const { allowance, deniedReason, children, to, onClick, ...rest } = props;
  const classes = useStyles();
  const [reasonId] = useState(() => `denied-reason-${++deniedCount}`);
  if (allowance.loading) {
    return (
      <Button {...rest} disabled>
        {children}
      </Button>
    );
  }
  if (allowance.allowed) {
    return to ? (
      // LinkButton, not Button with component={Link}: Link's own text colour
      // made the label invisible on a contained button.
      <LinkButton {...rest} to={to}>
        {children}
      </LinkButton>
    ) : (
      <Button {...rest} onClick={onClick}>
        {children}
      </Button>
    );
  }
  return (
    <>
      <Tooltip title={deniedReason} PopperProps={{ id: `${reasonId}-tooltip` }}>
        <Button
          {...rest}
          aria-disabled="true"
          aria-describedby={reasonId}
          disableRipple
          className={`${classes.denied} ${
            rest.variant === 'contained' ? classes.deniedContained : ''
          }`}
        >
          {children}
        </Button>
      </Tooltip>
      <span id={reasonId} hidden>
        {deniedReason}
      </span>
    </>
  );
}
