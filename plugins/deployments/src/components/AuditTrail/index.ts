export { AuditTrail, AUDIT_TRAIL_ROWS } from './AuditTrail';
export type { AuditTrailProps } from './AuditTrail';
