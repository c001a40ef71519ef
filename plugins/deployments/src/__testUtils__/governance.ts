import {
  ApprovalRequest,
  AuditEvent,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { ENTITY_REF } from './deployments';

// Approval requests and audit events shaped like the backend's answers
// (model/governance.ts). Fresh objects per call.

export const APPROVAL_ID = '8c3f9a0e-1d2b-4c5d-9e6f-0a1b2c3d4e5f';
export const REQUESTER = 'user:default/ada';
export const APPROVER = 'user:default/grace';

export function approval(
  overrides: Partial<ApprovalRequest> = {},
): ApprovalRequest {
  return {
    id: APPROVAL_ID,
    entityRef: ENTITY_REF,
    owner: 'group:default/team-payments',
    environment: 'production',
    namespace: 'payments-api-production',
    name: 'payments-api',
    action: 'deploy',
    requester: REQUESTER,
    fromVersion: 'ghcr.io/acme/payments-api:1.4.1',
    toVersion: 'ghcr.io/acme/payments-api:1.4.2',
    changeReference: 'https://jira.acme.example/browse/OPS-42',
    status: 'pending',
    createdAt: '2026-11-25T08:00:00Z',
    expiresAt: '2026-11-28T08:00:00Z',
    ...overrides,
  };
}

export function auditEvent(overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    id: 'a1',
    at: '2026-11-25T08:00:00Z',
    actor: REQUESTER,
    action: 'approval.request',
    result: 'pending',
    entityRef: ENTITY_REF,
    environment: 'production',
    namespace: 'payments-api-production',
    name: 'payments-api',
    fromVersion: 'ghcr.io/acme/payments-api:1.4.1',
    toVersion: 'ghcr.io/acme/payments-api:1.4.2',
    message: 'waits for approval',
    taskId: 'task-123',
    approvalId: APPROVAL_ID,
    ...overrides,
  };
}
