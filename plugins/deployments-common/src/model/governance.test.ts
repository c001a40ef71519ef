import {
  approvalLink,
  AuditEvent,
  auditEventsToCsv,
  isPendingApproval,
} from './governance';

describe('isPendingApproval', () => {
  it('tells a pending approval from a deployment record', () => {
    expect(
      isPendingApproval({
        status: 'pending-approval',
        approval: { id: 'x' } as never,
      }),
    ).toBe(true);
    expect(isPendingApproval({ status: 'succeeded' } as never)).toBe(false);
    expect(isPendingApproval(undefined)).toBe(false);
  });
});

describe('approvalLink', () => {
  it('points at the Approvals page of the request', () => {
    expect(approvalLink('5b0c9a8e-1f4e-4c1b-9a57-3c1f2d7e9a10')).toBe(
      '/deployments/approvals/5b0c9a8e-1f4e-4c1b-9a57-3c1f2d7e9a10',
    );
  });
});

describe('auditEventsToCsv', () => {
  const event: AuditEvent = {
    id: 'e1',
    at: '2026-11-25T09:00:00.000Z',
    actor: 'user:default/ada',
    action: 'deploy',
    result: 'pending',
  };

  it('writes a header line and one CRLF-terminated line per event', () => {
    expect(auditEventsToCsv([event])).toBe(
      'at,actor,action,result,entityRef,environment,namespace,name,fromVersion,toVersion,message,taskId,approvalId,id\r\n' +
        '2026-11-25T09:00:00.000Z,user:default/ada,deploy,pending,,,,,,,,,,e1\r\n',
    );
    expect(auditEventsToCsv([])).toBe(
      'at,actor,action,result,entityRef,environment,namespace,name,fromVersion,toVersion,message,taskId,approvalId,id\r\n',
    );
  });

  it('quotes commas, quotes and line breaks, and defuses spreadsheet formulas', () => {
    const [, line] = auditEventsToCsv([
      { ...event, message: 'a, "b"\nc' },
      { ...event, message: '@SUM(A1)' },
      { ...event, message: '-1+1' },
    ]).split('\r\n');
    expect(line).toContain(',"a, ""b""\nc",');
    const lines = auditEventsToCsv([
      { ...event, message: '@SUM(A1)' },
      { ...event, message: '=1+1, x' },
    ]).split('\r\n');
    expect(lines[1]).toContain(",'@SUM(A1),");
    expect(lines[2]).toContain(`,"'=1+1, x",`);
  });
});
