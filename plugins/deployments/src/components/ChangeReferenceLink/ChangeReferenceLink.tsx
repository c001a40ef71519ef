import { Link } from '@backstage/core-components';
import Tooltip from '@material-ui/core/Tooltip';

/**
 * A short name for a ticket URL: the Jira key (`OPS-123`), the GitHub or
 * GitLab issue (`acme/payments#42`, `acme/payments!7` for a merge request),
 * else the host and path.
 */
export function changeReferenceLabel(url: URL): string {
  const jira = /\/browse\/([A-Z][A-Z0-9_]*-\d+)\/?$/.exec(url.pathname);
  if (jira) return jira[1];
  const gitlab = /^\/(.+?)\/-\/(issues|merge_requests)\/(\d+)\/?$/.exec(
    url.pathname,
  );
  if (gitlab) {
    return `${gitlab[1]}${gitlab[2] === 'issues' ? '#' : '!'}${gitlab[3]}`;
  }
  const github = /^\/([^/]+\/[^/]+)\/(issues|pull)\/(\d+)\/?$/.exec(
    url.pathname,
  );
  if (github) return `${github[1]}#${github[3]}`;
  return `${url.host}${url.pathname === '/' ? '' : url.pathname}`;
}

function httpUrl(value: string): URL | undefined {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:'
      ? url
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A change reference (the ticket of a change) as a link to the ticket, with
 * a short label (`OPS-123`, `acme/payments#42`) and the whole URL in a
 * tooltip (an external link: a new window, no referrer); anything that is no http(s) URL is shown as text, never as a
 * link. Renders `fallback` (default nothing) without a reference.
 */
export function ChangeReferenceLink(props: {
  value?: string;
  fallback?: string;
}) {
  const { value, fallback } = props;
  if (!value) return fallback ? <>{fallback}</> : null;
  const url = httpUrl(value);
  if (!url) return <>{value}</>;
  return (
    <Tooltip title={value}>
      <Link to={value} aria-label={`Change ticket ${value}`}>
        {changeReferenceLabel(url)}
      </Link>
    </Tooltip>
  );
}
