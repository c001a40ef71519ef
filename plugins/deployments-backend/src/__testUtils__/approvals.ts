import { ApprovalRequest } from '@deployments-portal/backstage-plugin-deployments-common';

/** What a pending production deploy of payments-api asks for. */
export const APPROVAL_SUBJECT = {
  entityRef: 'component:default/payments-api',
  owner: 'group:default/team-payments',
  environment: 'production',
  namespace: 'payments-api-production',
  name: 'payments-api',
  action: 'deploy',
  requester: 'user:default/ada',
} as const;

/** A pending approval request, as the stores return it. */
export function pendingApproval(
  overrides: Partial<ApprovalRequest> = {},
): ApprovalRequest {
  return {
    id: '0b9c5a8e-1f4e-4c1b-9a57-3c1f2d7e9a10',
    ...APPROVAL_SUBJECT,
    status: 'pending',
    createdAt: '2026-11-25T09:00:00.000Z',
    expiresAt: '2026-11-28T09:00:00.000Z',
    ...overrides,
  };
}
