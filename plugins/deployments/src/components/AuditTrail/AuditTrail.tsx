import { useState } from 'react';
import Accordion from '@material-ui/core/Accordion';
import AccordionDetails from '@material-ui/core/AccordionDetails';
import AccordionSummary from '@material-ui/core/AccordionSummary';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import ExpandMoreIcon from '@material-ui/icons/ExpandMore';
import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  AuditFilter,
  AuditPage,
  deploymentsAuditReadPermission,
} from '@deployments-portal/backstage-plugin-deployments-common';
import useAsync from 'react-use/esm/useAsync';
import { AuditExportFormat, deploymentsApiRef } from '../../api';
import { downloadBlob } from '../../lib/download';
import { errorMessage } from '../../lib/format';
import { DismissibleAlert } from '../DismissibleAlert';
import { AuditTrailTable } from './AuditTrailTable';

const EXPORT_FORMATS: AuditExportFormat[] = ['json', 'csv'];

/** How many events the section shows; the export holds the backend's limit. */
export const AUDIT_TRAIL_ROWS = 100;

function exportFilename(filter: AuditFilter, format: AuditExportFormat) {
  const scope = [filter.entityRef, filter.environment]
    .filter(Boolean)
    .join('-')
    .replace(/[^A-Za-z0-9._-]+/g, '-');
  return `deployments-audit${scope ? `-${scope}` : ''}.${format}`;
}

function AuditTrailBody(props: { filter: AuditFilter; showEntity: boolean }) {
  const { filter, showEntity } = props;
  const api = useApi(deploymentsApiRef);
  const [exportError, setExportError] = useState<string>();
  const [exporting, setExporting] = useState<AuditExportFormat>();
  const { value, loading, error } = useAsync(
    () => api.getAudit({ ...filter, limit: AUDIT_TRAIL_ROWS }),
    [api, filter.entityRef, filter.environment],
  );
  // Older pages, fetched on request with the cursor of the page before.
  const [older, setOlder] = useState<AuditPage[]>([]);
  const [olderLoading, setOlderLoading] = useState(false);
  const [olderError, setOlderError] = useState<string>();
  const pages = value ? [value, ...older] : [];
  const events = pages.flatMap(page => page.items);
  const nextCursor = pages[pages.length - 1]?.nextCursor;
  const showOlder = async () => {
    setOlderError(undefined);
    setOlderLoading(true);
    try {
      const page = await api.getAudit({
        ...filter,
        limit: AUDIT_TRAIL_ROWS,
        cursor: nextCursor,
      });
      setOlder(current => [...current, page]);
    } catch (e) {
      setOlderError(`Could not read older events: ${errorMessage(e)}`);
    } finally {
      setOlderLoading(false);
    }
  };

  const exportAs = async (format: AuditExportFormat) => {
    setExportError(undefined);
    setExporting(format);
    try {
      const blob = await api.exportAudit(filter, format);
      downloadBlob(blob, exportFilename(filter, format));
    } catch (e) {
      setExportError(
        `Could not export the audit trail as ${format.toLocaleUpperCase(
          'en-US',
        )}: ${errorMessage(e)}`,
      );
    } finally {
      setExporting(undefined);
    }
  };

  return (
    <Box width="100%">
      <Box display="flex" style={{ gap: 8 }} mb={2}>
        {EXPORT_FORMATS.map(format => (
          <Button
            key={format}
            variant="outlined"
            size="small"
            disabled={Boolean(exporting)}
            onClick={() => exportAs(format)}
          >
            Export {format.toUpperCase()}
          </Button>
        ))}
      </Box>
      {exportError && (
        <DismissibleAlert
          mb={2}
          severity="error"
          onClose={() => setExportError(undefined)}
        >
          {exportError}
        </DismissibleAlert>
      )}
      {error && <ResponseErrorPanel error={error} />}
      {!error && loading && <Progress />}
      {!error && value && (
        <AuditTrailTable events={events} showEntity={showEntity} />
      )}
      {olderError && (
        <DismissibleAlert
          mt={2}
          severity="error"
          onClose={() => setOlderError(undefined)}
        >
          {olderError}
        </DismissibleAlert>
      )}
      {!error && nextCursor && (
        <Box mt={2}>
          <Button
            variant="outlined"
            size="small"
            disabled={olderLoading}
            onClick={showOlder}
          >
            {olderLoading ? 'Loading older events…' : 'Show older events'}
          </Button>
        </Box>
      )}
    </Box>
  );
}

/** @public */
export type AuditTrailProps = {
  /** Whose trail: an entity, an environment, or (empty) everything. */
  filter?: AuditFilter;
  title?: string;
  defaultExpanded?: boolean;
};

/**
 * The audit trail as a collapsible section: who did what, when, with which
 * result (refusals included), exportable as JSON and CSV. Loaded only when
 * opened; hidden behind an explanation when the user may not read it.
 */
export function AuditTrail(props: AuditTrailProps) {
  const filter = props.filter ?? {};
  const [expanded, setExpanded] = useState(Boolean(props.defaultExpanded));
  const permission = usePermission({
    permission: deploymentsAuditReadPermission,
  });
  const denied = !permission.loading && !permission.allowed;
  // Nothing is read before the permission is known to allow it.
  const open = expanded && permission.allowed;

  return (
    <Accordion
      expanded={open}
      onChange={(_e, isExpanded) => setExpanded(isExpanded)}
      TransitionProps={{ unmountOnExit: true }}
      disabled={denied}
      data-testid="audit-trail"
    >
      <AccordionSummary
        expandIcon={<ExpandMoreIcon />}
        aria-controls="audit-trail-content"
        id="audit-trail-header"
      >
        <Typography variant="h6" component="h2">
          {props.title ?? 'Audit trail'}
        </Typography>
        {denied && (
          <Typography
            variant="body2"
            color="textSecondary"
            style={{ marginLeft: 16, alignSelf: 'center' }}
          >
            You are not allowed to read the audit trail
            (deployments.audit.read).
          </Typography>
        )}
      </AccordionSummary>
      <AccordionDetails id="audit-trail-content">
        {open && (
          <AuditTrailBody filter={filter} showEntity={!filter.entityRef} />
        )}
      </AccordionDetails>
    </Accordion>
  );
}
