import { useEffect, useState } from 'react';
import Tooltip from '@material-ui/core/Tooltip';
import { formatDateTime, formatRelativeTime, NO_VALUE } from '../../lib/format';

/** How often a shown relative time is brought up to date. */
const REFRESH_MS = 30_000;

function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), REFRESH_MS);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/**
 * A timestamp as people say it (`5 min ago`, `in 20 min`), the exact time
 * in the reader's locale in a tooltip and in the `<time>` element.
 */
export function RelativeTime(props: {
  value: string | undefined;
  /** Words before the time, inside the same element: `since`, `expires`. */
  prefix?: string;
}) {
  const now = useNow();
  const { value, prefix } = props;
  if (!value) {
    return <>{NO_VALUE}</>;
  }
  const absolute = formatDateTime(value);
  const relative = formatRelativeTime(value, now);
  return (
    <Tooltip title={absolute}>
      <time dateTime={value} style={{ whiteSpace: 'nowrap' }}>
        {prefix ? `${prefix} ${relative}` : relative}
      </time>
    </Tooltip>
  );
}
