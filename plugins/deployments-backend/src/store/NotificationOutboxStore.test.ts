import { mockServices } from '@backstage/backend-test-utils';
import { storeTestDatabases } from '../__testUtils__/databases';
import { NotificationOutboxStore } from './NotificationOutboxStore';

jest.setTimeout(60_000);

// SQLite always; PostgreSQL too (fails without one, see storeTestDatabases).
const { ids, databases } = storeTestDatabases();

const subject = {
  event: 'deployed',
  format: 'slack',
  entityRef: 'component:default/payments-api',
  environment: 'production',
};

describe.each(ids)('notification outbox on %s', databaseId => {
  async function twoReplicas() {
    const knex = await databases.init(databaseId);
    const database = mockServices.database({ knex });
    return [
      await NotificationOutboxStore.create(database),
      await NotificationOutboxStore.create(database),
    ];
  }

  it('gives a due message to one replica at a time, until its lease ends', async () => {
    const [a, b] = await twoReplicas();
    const now = Date.now();
    await a.add(
      [
        {
          webhook: 'team-chat',
          body: { text: 'hi' },
          subject,
          deadlineMs: now + 120_000,
        },
      ],
      now,
    );
    const [claimedA, claimedB] = await Promise.all([
      a.claimDue(8, 15_000, now),
      b.claimDue(8, 15_000, now),
    ]);
    expect([...claimedA, ...claimedB]).toEqual([
      {
        id: expect.any(String),
        webhook: 'team-chat',
        body: { text: 'hi' },
        subject,
        attempts: 0,
        createdMs: now,
        deadlineMs: now + 120_000,
      },
    ]);
    expect(await b.claimDue(8, 15_000, now + 14_999)).toEqual([]);
    // A replica that stopped without a word: the lease ends, another takes it.
    expect(await b.claimDue(8, 15_000, now + 15_001)).toHaveLength(1);
  });

  it('keeps a retry until it is due, with its attempts and last error', async () => {
    const [outbox] = await twoReplicas();
    const now = Date.now();
    await outbox.add(
      [{ webhook: 'w', body: {}, subject, deadlineMs: now + 60_000 }],
      now,
    );
    const [message] = await outbox.claimDue(8, 15_000, now);
    await outbox.retryLater(message.id, {
      attempts: 2,
      nextAttemptMs: now + 4000,
      error: 'HTTP 503 Service Unavailable',
    });
    expect(await outbox.claimDue(8, 15_000, now + 3999)).toEqual([]);
    const [again] = await outbox.claimDue(8, 15_000, now + 4000);
    expect(again).toMatchObject({
      id: message.id,
      attempts: 2,
      lastError: 'HTTP 503 Service Unavailable',
    });
    await outbox.release(again.id);
    expect(await outbox.claimDue(8, 15_000, now + 4001)).toHaveLength(1);
    await outbox.remove(again.id);
    expect(await outbox.count()).toBe(0);
  });
});
