export { StatusChip } from './StatusChip';
export { statusLook } from './statusLooks';
export type { StatusChipStatus, StatusLook, StatusTone } from './statusLooks';
