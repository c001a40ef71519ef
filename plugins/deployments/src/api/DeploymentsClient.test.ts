import { ResponseError } from '@backstage/errors';
import {
  BACKEND_BASE,
  fakeBackend as answering,
  json,
} from '../__testUtils__/fakeBackend';

/** A client whose backend answers every request with the given status and body. */
function fakeBackend(status = 200, answer: unknown = {}) {
  return answering(() => json(status, answer));
}

const key = {
  environment: 'production' as const,
  namespace: 'payments-api-production',
  name: 'payments-api',
};
const base = BACKEND_BASE;

describe('DeploymentsClient', () => {
  it('reads the entity views from the entity paths', async () => {
    const { client, calls } = fakeBackend(200, {
      entityRef: 'component:default/payments-api',
      environments: [],
    });

    await client.getEntityDeployments('component:default/payments-api');
    await client.getEntityHealth({
      kind: 'Component',
      namespace: 'default',
      name: 'payments-api',
    });
    await client.getEntityHealth('component:default/payments-api', {
      refresh: true,
    });

    expect(calls.map(c => `${c.method} ${c.url}`)).toEqual([
      `GET ${base}/entities/component/default/payments-api/deployments`,
      `GET ${base}/entities/component/default/payments-api/health`,
      `GET ${base}/entities/component/default/payments-api/health?refresh=true`,
    ]);
  });

  it('passes only the dashboard filters that are set', async () => {
    const { client, calls } = fakeBackend(200, {
      deployments: [],
      recentFailures: [],
      figures: [],
      firstDeployments: [],
    });

    await client.getDashboard();
    await client.getDashboard({ environment: 'test' });
    await client.getDashboard({
      team: 'group:default/team-payments',
      environment: 'production',
    });

    expect(calls.map(c => c.url)).toEqual([
      `${base}/dashboard`,
      `${base}/dashboard?environment=test`,
      `${base}/dashboard?team=group%3Adefault%2Fteam-payments&environment=production`,
    ]);
  });

  it('sends each change to its route with the body the backend expects', async () => {
    const { client, calls } = fakeBackend(200, { id: 'r1' });
    const path = `${base}/deployments/production/payments-api-production/payments-api`;

    await client.restart(key);
    await client.scale(key, 4);
    await client.rollback(key);
    await client.rollback(key, 3);
    await client.delete(key);

    expect(calls).toEqual([
      { url: `${path}/restart`, method: 'POST', body: undefined },
      { url: path, method: 'PUT', body: { replicas: 4 } },
      { url: `${path}/rollback`, method: 'POST', body: {} },
      { url: `${path}/rollback`, method: 'POST', body: { revision: 3 } },
      { url: path, method: 'DELETE', body: undefined },
    ]);
  });

  it('unwraps the history items', async () => {
    const { client, calls } = fakeBackend(200, {
      items: [{ id: 'r2' }, { id: 'r1' }],
    });

    await expect(client.getHistory(key)).resolves.toEqual([
      { id: 'r2' },
      { id: 'r1' },
    ]);
    expect(calls[0].url).toBe(
      `${base}/deployments/production/payments-api-production/payments-api/history`,
    );
  });

  it('throws a ResponseError carrying the backend message', async () => {
    const { client } = fakeBackend(403, {
      error: {
        name: 'NotAllowedError',
        message: 'You may not restart deployments in production',
      },
      response: { statusCode: 403 },
    });

    const error = await client.restart(key).catch(e => e);

    expect(error).toBeInstanceOf(ResponseError);
    expect(error.statusCode).toBe(403);
    expect(error.body.error.message).toBe(
      'You may not restart deployments in production',
    );
  });
});
