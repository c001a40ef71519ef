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
      'at,actor,action,result,entityRef,environment,namespace,name,fromVersion,toVersion,message,taskId,approvalId,changeId,id\r\n' +
        '2026-11-25T09:00:00.000Z,user:default/ada,deploy,pending,,,,,,,,,,,e1\r\n',
    );
    expect(auditEventsToCsv([])).toBe(
      'at,actor,action,result,entityRef,environment,namespace,name,fromVersion,toVersion,message,taskId,approvalId,changeId,id\r\n',
    );
  });

  it('quotes commas, quotes and line breaks', () => {
    const [, line] = auditEventsToCsv([
      { ...event, message: 'a, "b"\nc' },
    ]).split('\r\n');
    expect(line).toBe(
      '2026-11-25T09:00:00.000Z,user:default/ada,deploy,pending,,,,,,,"a, ""b""\nc",,,,e1',
    );
  });

  it.each([
    ['=1+1', "'=1+1"],
    ['+1', "'+1"],
    ['-1+1', "'-1+1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tcmd', "'\tcmd"],
    ['=1+1, x', `"'=1+1, x"`],
  ])('defuses the spreadsheet formula %j', (message, field) => {
    const [, line] = auditEventsToCsv([{ ...event, message }]).split('\r\n');
    expect(line).toBe(
      `2026-11-25T09:00:00.000Z,user:default/ada,deploy,pending,,,,,,,${field},,,,e1`,
    );
  });

  it('leaves text that only contains formula characters alone', () => {
    const [, line] = auditEventsToCsv([
      { ...event, message: 'scaled 2->3 (+1)' },
    ]).split('\r\n');
    expect(line).toContain(',scaled 2->3 (+1),');
  });
});
