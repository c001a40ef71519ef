import { screen, waitFor } from '@testing-library/react';
import { auditEvent } from '../../__testUtils__/governance';
import { renderWithDeploymentsApi } from '../../__testUtils__/render';
import { NotificationFailuresAlert } from './NotificationFailuresAlert';

const ENTITY = 'component:default/payments-api';

function failure(id: string, environment = 'production') {
  return auditEvent({
    id,
    at: new Date().toISOString(),
    actor: 'system',
    action: 'notification.failed',
    result: 'failure',
    environment,
    message: `webhook payments-slack (slack) did not take the deployed announcement: HTTP 500; gave up after 9 attempts in 120 s (${id})`,
  });
}

describe('NotificationFailuresAlert', () => {
  it("lists the last week's undelivered announcements of the entity, newest first", async () => {
    const getAudit = jest.fn(async () => ({
      items: [failure('f2'), failure('f1', 'development')],
    }));
    await renderWithDeploymentsApi(
      <NotificationFailuresAlert entityRef={ENTITY} />,
      { getAudit },
    );
    const alert = await screen.findByTestId('notification-failures');
    expect(alert).toHaveTextContent('Chat announcements not delivered');
    expect(alert).toHaveTextContent(
      'missed 2 announcements in the last 7 days',
    );
    const items = alert.querySelectorAll('li');
    expect(items).toHaveLength(2);
    expect(items[0]).toHaveTextContent(
      /in production: webhook payments-slack.*\(f2\)$/,
    );
    expect(items[1]).toHaveTextContent(/in development: .*\(f1\)$/);
    expect(getAudit).toHaveBeenCalledWith({
      entityRef: ENTITY,
      action: 'notification.failed',
      since: expect.any(String),
      limit: 6,
    });
    const since = Date.parse(
      (getAudit.mock.calls[0] as unknown as [{ since: string }])[0].since,
    );
    expect(Date.now() - since).toBeGreaterThan(6.9 * 24 * 3600_000);
    expect(Date.now() - since).toBeLessThan(7.1 * 24 * 3600_000);
  });

  it('says "more than 5" and lists five when there are more', async () => {
    const getAudit = jest.fn(async () => ({
      items: ['a', 'b', 'c', 'd', 'e', 'f'].map(id => failure(id)),
      nextCursor: 'YXVkaXQ6MQ',
    }));
    await renderWithDeploymentsApi(
      <NotificationFailuresAlert entityRef={ENTITY} />,
      { getAudit },
    );
    const alert = await screen.findByTestId('notification-failures');
    expect(alert).toHaveTextContent('missed more than 5 announcements');
    expect(alert.querySelectorAll('li')).toHaveLength(5);
  });

  it('shows nothing when every announcement was delivered or the trail cannot be read', async () => {
    for (const getAudit of [
      jest.fn(async () => ({ items: [] })),
      jest.fn(async () => {
        throw new Error('403 Forbidden');
      }),
    ]) {
      await renderWithDeploymentsApi(
        <NotificationFailuresAlert entityRef={ENTITY} />,
        { getAudit },
      );
      await waitFor(() => expect(getAudit).toHaveBeenCalled());
      expect(screen.queryByTestId('notification-failures')).toBeNull();
    }
  });
});
