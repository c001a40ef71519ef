import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { ResponseError } from '@backstage/errors';
import { DefaultDeploymentServiceClient } from './DeploymentService';

describe('DefaultDeploymentServiceClient', () => {
  let server: Server;
  let baseUrl: string;
  let seen: { url?: string; headers?: IncomingHttpHeaders } = {};
  let status = 200;

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen = { url: req.url, headers: req.headers };
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(
        status === 200
          ? JSON.stringify({
              items: [
                {
                  name: 'development',
                  cluster: 'local-nonprod',
                  namespacePattern: '{{ application }}-development',
                  requiresApproval: false,
                },
              ],
            })
          : JSON.stringify({
              error: { name: 'NotAllowedError', message: 'nope' },
              response: { statusCode: status },
            }),
      );
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise(resolve => server.close(resolve)));

  const client = () =>
    DefaultDeploymentServiceClient.create({
      discovery: mockServices.discovery.mock({
        getBaseUrl: async () => `${baseUrl}/api/deployments`,
      }),
      auth: mockServices.auth(),
    });

  it('calls the deployments backend on behalf of the user', async () => {
    status = 200;
    const environments = await client().listEnvironments({
      credentials: mockCredentials.user('user:default/ada'),
    });

    expect(environments.map(e => e.name)).toEqual(['development']);
    expect(seen.url).toBe('/api/deployments/environments');
    expect(seen.headers?.authorization).toBe(
      `Bearer ${mockCredentials.service.token({
        onBehalfOf: mockCredentials.user('user:default/ada'),
        targetPluginId: 'deployments',
      })}`,
    );
  });

  it('reads the entity view and the dashboard from their routes', async () => {
    status = 200;
    const credentials = mockCredentials.user('user:default/ada');
    await client().listForEntity('component:default/payments-api', {
      credentials,
    });
    expect(seen.url).toBe(
      '/api/deployments/entities/component/default/payments-api/deployments',
    );
    await client().listForEntity('component:payments-api', { credentials });
    expect(seen.url).toBe(
      '/api/deployments/entities/component/default/payments-api/deployments',
    );
    await client().dashboard(
      { team: 'group:default/team-payments', environment: 'test' },
      { credentials },
    );
    expect(seen.url).toBe(
      '/api/deployments/dashboard?team=group%3Adefault%2Fteam-payments&environment=test',
    );
    await client().dashboard({}, { credentials });
    expect(seen.url).toBe('/api/deployments/dashboard');
  });

  it('reaches the approval and audit routes and passes the task id of a change', async () => {
    status = 200;
    const credentials = mockCredentials.user('user:default/ada');
    const id = '0b9c5a8e-1f4e-4c1b-9a57-3c1f2d7e9a10';
    await client().listApprovals(
      { status: 'pending', entityRef: 'component:default/payments-api' },
      { credentials },
    );
    expect(seen.url).toBe(
      '/api/deployments/approvals?status=pending&entityRef=component%3Adefault%2Fpayments-api',
    );
    await client().getApproval(id, { credentials });
    expect(seen.url).toBe(`/api/deployments/approvals/${id}`);
    await client().approve(id, { comment: 'ok' }, { credentials });
    expect(seen.url).toBe(`/api/deployments/approvals/${id}/approve`);
    await client().reject(id, {}, { credentials });
    expect(seen.url).toBe(`/api/deployments/approvals/${id}/reject`);
    await client().listAudit(
      { environment: 'production', limit: 5 },
      { credentials },
    );
    expect(seen.url).toBe(
      '/api/deployments/audit?environment=production&limit=5',
    );
    await client().deploy({}, { credentials, taskId: 'task-7' });
    expect(seen.url).toBe('/api/deployments/deployments?taskId=task-7');
    await client().delete(
      {
        environment: 'production',
        namespace: 'payments-api-production',
        name: 'payments-api',
      },
      { credentials, taskId: 'task-8' },
    );
    expect(seen.url).toBe(
      '/api/deployments/deployments/production/payments-api-production/payments-api?taskId=task-8',
    );
  });

  it('refuses an entity ref it cannot turn into a path, without calling', async () => {
    seen = {};
    await expect(
      client().listForEntity('payments-api', {
        credentials: mockCredentials.user(),
      }),
    ).rejects.toThrow(
      "'payments-api' is not an entity ref; use kind:namespace/name",
    );
    expect(seen.url).toBeUndefined();
  });

  it('turns an error response into a ResponseError', async () => {
    status = 403;
    await expect(
      client().listEnvironments({ credentials: mockCredentials.user() }),
    ).rejects.toBeInstanceOf(ResponseError);
  });
});
