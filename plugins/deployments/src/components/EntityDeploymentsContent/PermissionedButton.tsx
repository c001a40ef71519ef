import { ReactNode } from 'react';
import Button, { ButtonProps } from '@material-ui/core/Button';
import Tooltip from '@material-ui/core/Tooltip';
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

/**
 * A button that is disabled, with the reason as tooltip, when the permission
 * framework denies its action. The backend checks the permission again.
 */
export function PermissionedButton(props: PermissionedButtonProps) {
  const { allowance, deniedReason, children, to, onClick, ...rest } = props;
  const disabled = !allowance.allowed;
  const button = to ? (
    // LinkButton, not Button with component={Link}: Link's own text colour
    // made the label invisible on a contained button.
    <LinkButton {...rest} disabled={disabled} to={to}>
      {children}
    </LinkButton>
  ) : (
    <Button {...rest} disabled={disabled} onClick={onClick}>
      {children}
    </Button>
  );
  if (!disabled || allowance.loading) {
    return button;
  }
  // A disabled button fires no events; the span carries the tooltip.
  return (
    <Tooltip title={deniedReason}>
      <span>{button}</span>
    </Tooltip>
  );
}
