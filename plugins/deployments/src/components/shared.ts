// The building blocks every page of the suite shows versions, times and
// statuses with; new components use these rather than their own.
export { ImageReference, VersionChange } from './ImageReference';
export { RelativeTime } from './RelativeTime';
export { StatusChip, statusLook } from './StatusChip';
export type { StatusChipStatus, StatusLook, StatusTone } from './StatusChip';
export { TruncatedText } from './TruncatedText';
