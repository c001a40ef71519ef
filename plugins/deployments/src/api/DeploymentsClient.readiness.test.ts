import { ResponseError } from '@backstage/errors';
import { BACKEND_BASE, fakeBackend, json } from '../__testUtils__/fakeBackend';
import { readinessWithGaps } from '../__testUtils__/readiness';

describe('DeploymentsClient.getReadiness', () => {
  it('reads the checklist from the entity path', async () => {
    const { client, calls } = fakeBackend(() => json(200, readinessWithGaps()));

    const answer = await client.getReadiness({
      kind: 'Component',
      namespace: 'default',
      name: 'payments-api',
    });

    expect(answer.score).toEqual({ passed: 4, total: 7 });
    expect(calls.map(c => `${c.method} ${c.url}`)).toEqual([
      `GET ${BACKEND_BASE}/entities/component/default/payments-api/readiness`,
    ]);
  });

  it("throws the backend's error", async () => {
    const { client } = fakeBackend(() =>
      json(404, {
        error: { name: 'NotFoundError', message: 'not in the catalog' },
      }),
    );
    await expect(
      client.getReadiness('component:default/nobody'),
    ).rejects.toBeInstanceOf(ResponseError);
  });
});
