import { useApi } from '@backstage/core-plugin-api';
import { Alert } from '@material-ui/lab';
import Accordion from '@material-ui/core/Accordion';
import AccordionDetails from '@material-ui/core/AccordionDetails';
import AccordionSummary from '@material-ui/core/AccordionSummary';
import Typography from '@material-ui/core/Typography';
import ExpandMoreIcon from '@material-ui/icons/ExpandMore';
import useAsync from 'react-use/esm/useAsync';
import { deploymentsApiRef } from '../../api';
import { errorMessage } from '../../lib/format';
import { ReadinessList, readinessScore } from '../EntityReadinessCard';

/**
 * The readiness checklist, compact, on the Deployments tab: the score, open
 * with the gaps listed when there are any.
 */
export function ReadinessSection(props: { entityRef: string }) {
  const api = useApi(deploymentsApiRef);
  const { value, error } = useAsync(
    async () => api.getReadiness(props.entityRef),
    [api, props.entityRef],
  );
  if (error) {
    return (
      <Alert severity="info">
        Readiness checklist unavailable: {errorMessage(error)}
      </Alert>
    );
  }
  if (!value) return null;
  const gaps = value.items.filter(item => item.status !== 'ok');
  return (
    <Accordion
      defaultExpanded={value.items.some(item => item.status === 'missing')}
      data-testid="readiness-section"
    >
      <AccordionSummary expandIcon={<ExpandMoreIcon />}>
        {/* A section of the tab, as the audit trail: h2 under the entity's h1. */}
        <Typography variant="subtitle1" component="h2">
          Readiness: {readinessScore(value)}
          {gaps.length > 0 &&
            ` — ${gaps.length} item${gaps.length === 1 ? '' : 's'} to check`}
        </Typography>
      </AccordionSummary>
      <AccordionDetails>
        <ReadinessList items={gaps.length > 0 ? gaps : value.items} dense />
      </AccordionDetails>
    </Accordion>
  );
}
