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

  it('turns an error response into a ResponseError', async () => {
    status = 403;
    await expect(
      client().listEnvironments({ credentials: mockCredentials.user() }),
    ).rejects.toBeInstanceOf(ResponseError);
  });
});
