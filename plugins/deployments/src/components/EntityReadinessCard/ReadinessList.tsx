import { Link } from '@backstage/core-components';
import {
  EntityReadiness,
  ReadinessItem,
} from '@deployments-portal/backstage-plugin-deployments-common';
import Box from '@material-ui/core/Box';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import { StatusChip } from '../shared';

/** "5 of 7 ready" */
export function readinessScore(readiness: EntityReadiness): string {
  return `${readiness.score.passed} of ${readiness.score.total} ready`;
}

/**
 * The items of a readiness checklist: the status as a chip with an icon and
 * a word (never colour alone), what was found, and a link to fix each gap.
 */
export function ReadinessList(props: {
  items: ReadinessItem[];
  dense?: boolean;
}) {
  return (
    // A flex item in an accordion: min-width 0 lets it shrink to the card.
    <List dense disablePadding style={{ minWidth: 0, width: '100%' }}>
      {props.items.map(item => (
        <ListItem
          key={item.id}
          disableGutters
          data-testid={`readiness-${item.id}`}
        >
          <Box mr={2} flexShrink={0} minWidth={props.dense ? 0 : 96}>
            <StatusChip kind="readiness" status={item.status} />
          </Box>
          <ListItemText
            // Long details (a URL, a reason) wrap instead of widening the page.
            style={{ minWidth: 0, overflowWrap: 'anywhere' }}
            primary={item.title}
            secondary={
              <>
                {item.detail}
                {item.status !== 'ok' && item.fix && (
                  <>
                    {' — '}
                    {/* Underlined: in running text a link needs more than its colour. */}
                    <Link to={item.fix.url} underline="always">
                      {item.fix.title}
                    </Link>
                  </>
                )}
              </>
            }
          />
        </ListItem>
      ))}
    </List>
  );
}
