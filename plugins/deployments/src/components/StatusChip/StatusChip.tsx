import Chip from '@material-ui/core/Chip';
import { makeStyles, Theme } from '@material-ui/core/styles';
import CheckCircleIcon from '@material-ui/icons/CheckCircle';
import ErrorIcon from '@material-ui/icons/Error';
import WarningIcon from '@material-ui/icons/Warning';
import AutorenewIcon from '@material-ui/icons/Autorenew';
import ScheduleIcon from '@material-ui/icons/Schedule';
import RemoveCircleOutlineIcon from '@material-ui/icons/RemoveCircleOutline';
import { StatusChipStatus, statusLook, StatusTone } from './statusLooks';

const ICONS: Record<StatusTone, typeof CheckCircleIcon> = {
  ok: CheckCircleIcon,
  warning: WarningIcon,
  error: ErrorIcon,
  running: AutorenewIcon,
  pending: ScheduleIcon,
  neutral: RemoveCircleOutlineIcon,
};

// The tone is in the icon and the border; the label keeps the text colour,
// so it reads in light and dark themes alike (the status yellows and
// oranges are too pale for text on white).
function toneColor(theme: Theme, tone: StatusTone): string {
  const status = (theme.palette as { status?: Record<string, string> }).status;
  switch (tone) {
    case 'ok':
      return status?.ok ?? theme.palette.success.main;
    case 'warning':
      return status?.warning ?? theme.palette.warning.main;
    case 'error':
      return status?.error ?? theme.palette.error.main;
    case 'running':
      return status?.running ?? theme.palette.info.main;
    default:
      return theme.palette.text.secondary;
  }
}

const useStyles = makeStyles<Theme, { tone: StatusTone }>(theme => ({
  chip: {
    maxWidth: '100%',
    color: theme.palette.text.primary,
    borderColor: ({ tone }) => toneColor(theme, tone),
    backgroundColor: 'transparent',
    fontWeight: theme.typography.fontWeightMedium as number,
  },
  icon: {
    color: ({ tone }) => toneColor(theme, tone),
  },
  label: {
    whiteSpace: 'nowrap',
  },
}));

/**
 * The one status chip of the suite, for every change, approval, health,
 * probe and audit state: the same words and colours on every page.
 */
export function StatusChip(props: StatusChipStatus) {
  const { label, tone } = statusLook(props);
  const classes = useStyles({ tone });
  const Icon = ICONS[tone];
  return (
    <Chip
      size="small"
      variant="outlined"
      label={label}
      icon={<Icon className={classes.icon} aria-hidden="true" />}
      classes={{ root: classes.chip, label: classes.label }}
      data-testid={`status-chip-${tone}`}
    />
  );
}
