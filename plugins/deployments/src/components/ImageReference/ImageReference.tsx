import Tooltip from '@material-ui/core/Tooltip';
import { makeStyles } from '@material-ui/core/styles';
import { CopyTextButton } from '@backstage/core-components';
import { shortImageReference } from '../../lib/format';

const useStyles = makeStyles(theme => ({
  root: {
    display: 'inline-flex',
    alignItems: 'center',
    gap: theme.spacing(0.5),
    maxWidth: '100%',
    minWidth: 0,
    verticalAlign: 'middle',
  },
  text: {
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
    minWidth: 0,
    fontFamily: theme.typography.fontFamily,
  },
  full: {
    // A 64-digit digest may wrap here, in the tooltip only.
    wordBreak: 'break-all',
  },
  copy: {
    flexShrink: 0,
    // The icon at the size of the text, not a 24 px glyph in every row.
    '& svg': { width: 16, height: 16 },
  },
}));

/**
 * A container image, readable: `repository:tag` or
 * `repository@sha256:aae600c1d2e3…` on one line (cut with an ellipsis when
 * the column is narrower), the whole reference (and the digest a tag
 * resolved to) in a tooltip, and a button that copies the reference.
 */
export function ImageReference(props: {
  /** The image reference as deployed: `repository:tag` or `repository@sha256:…`. */
  image: string;
  /** The digest the tag resolved to, when the reference is a tag. */
  digest?: string;
}) {
  const { image, digest } = props;
  const classes = useStyles();
  const short = shortImageReference(image);
  const resolved = digest && !image.endsWith(digest) ? digest : undefined;
  return (
    <span className={classes.root} data-testid="image-reference">
      <Tooltip
        title={
          <span className={classes.full}>
            {image}
            {resolved && <div>resolved to {resolved}</div>}
          </span>
        }
      >
        {/* Focusable, so keyboard users can read the whole reference too
            (focus opens the tooltip, as hovering does). */}
        {/* eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex */}
        <span className={classes.text} tabIndex={0}>
          {short}
        </span>
      </Tooltip>
      <span className={classes.copy}>
        <CopyTextButton
          text={image}
          variant="tertiary"
          aria-label={`Copy image reference ${short}`}
          tooltipText="Image reference copied"
        />
      </span>
    </span>
  );
}
