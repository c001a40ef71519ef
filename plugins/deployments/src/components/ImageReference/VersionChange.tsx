import { NO_VALUE } from '../../lib/format';
import { ImageReference } from './ImageReference';

/**
 * The version a change would run and the one it replaces, each as an
 * {@link ImageReference}: `to`, then `from` under it. Absent sides read `—`,
 * a deletion `(removed)`.
 */
export function VersionChange(props: {
  fromVersion?: string;
  toVersion?: string;
  action?: string;
}) {
  const { fromVersion, toVersion, action } = props;
  if (!fromVersion && !toVersion) {
    return <>{NO_VALUE}</>;
  }
  let to = <>{NO_VALUE}</>;
  if (toVersion) {
    to = <ImageReference image={toVersion} />;
  } else if (action === 'delete') {
    to = <>(removed)</>;
  }
  return (
    <span style={{ display: 'block', minWidth: 0 }}>
      <span style={{ display: 'flex', gap: 4, minWidth: 0 }}>
        <span>to</span> {to}
      </span>
      <span style={{ display: 'flex', gap: 4, minWidth: 0 }}>
        <span>from</span>{' '}
        {fromVersion ? <ImageReference image={fromVersion} /> : NO_VALUE}
      </span>
    </span>
  );
}
