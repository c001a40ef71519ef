export { ApprovalDecision } from './ApprovalDecision';
export type {
  ApprovalDecisionOutcome,
  ApprovalDecisionProps,
} from './ApprovalDecision';
