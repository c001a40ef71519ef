import Tooltip from '@material-ui/core/Tooltip';
import { makeStyles } from '@material-ui/core/styles';

const useStyles = makeStyles({
  text: {
    display: 'block',
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
    minWidth: 0,
    maxWidth: '100%',
  },
  lines: {
    display: '-webkit-box',
    overflow: 'hidden',
    minWidth: 0,
    maxWidth: '100%',
    WebkitBoxOrient: 'vertical',
    overflowWrap: 'anywhere',
  },
});

/**
 * Text on one line (or `lines`), cut with an ellipsis where its column ends; the whole
 * text in a tooltip (and in the page, for screen readers).
 */
export function TruncatedText(props: {
  text: string;
  /** Lines shown before the ellipsis (default 1). */
  lines?: number;
}) {
  const classes = useStyles();
  const lines = props.lines ?? 1;
  if (!props.text) return null;
  return (
    <Tooltip title={props.text}>
      <span
        className={lines > 1 ? classes.lines : classes.text}
        style={lines > 1 ? { WebkitLineClamp: lines } : undefined}
      >
        {props.text}
      </span>
    </Tooltip>
  );
}
