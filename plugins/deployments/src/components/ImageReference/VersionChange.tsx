import { NO_VALUE } from '../../lib/format';
import { ImageReference } from './ImageReference';

const LINE = { display: 'flex', gap: 4, minWidth: 0 } as const;

/**
 * The version a change replaces and the one it would run, each as an
 * {@link ImageReference}, one per line: `from`, then `→ to`; a first
 * deployment only `to`. A deletion reads `(removed)`.
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
  if (!fromVersion) {
    return (
      <span style={LINE} data-testid="version-change">
        {to}
      </span>
    );
  }
  return (
    <span
      style={{ display: 'block', minWidth: 0 }}
      data-testid="version-change"
    >
      <span style={LINE}>
        <ImageReference image={fromVersion} />{' '}
      </span>
      <span style={LINE}>
        <span>→</span> {to}
      </span>
    </span>
  );
}
