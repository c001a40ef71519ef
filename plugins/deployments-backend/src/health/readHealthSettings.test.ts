import { ConfigReader } from '@backstage/config';
import { readEnvironments } from '../service/readEnvironments';
import { readHealthSettings } from './readHealthSettings';

/** The four environments on two clusters, under the config of a test. */
const environments = {
  deployments: {
    environments: {
      development: { cluster: 'local-nonprod' },
      test: { cluster: 'local-nonprod' },
      acceptance: { cluster: 'local-nonprod' },
      production: { cluster: 'local-prod' },
    },
  },
};

function read(data: ConstructorParameters<typeof ConfigReader>[0]) {
  const config = ConfigReader.fromConfigs([
    { data: environments, context: 'environments' },
    { data: data ?? {}, context: 'test' },
  ]);
  return readHealthSettings(config, readEnvironments(config));
}

describe('readHealthSettings', () => {
  it('has defaults for everything', () => {
    const settings = read({});
    expect(settings).toMatchObject({
      concurrency: 8,
      cacheSeconds: 10,
      unreachableRetrySeconds: 30,
      allowedTargets: [],
      ownEndpoints: [{ host: '', port: 7007 }],
    });
    expect(settings.environments.get('production')).toEqual({
      timeoutMs: 2000,
      via: 'direct',
      servicePort: 'http',
      urlPattern: undefined,
    });
  });

  it('reads the global and per-environment settings and the own addresses', () => {
    const settings = read({
      backend: {
        baseUrl: 'https://portal.acme.internal',
        listen: { host: '10.0.0.5', port: 7008 },
      },
      deployments: {
        health: {
          timeoutMs: 1500,
          concurrency: 4,
          cacheSeconds: 0,
          unreachableRetrySeconds: 5,
          allowedTargets: ['169.254.10.1:8080'],
        },
        environments: {
          test: {
            cluster: 'a',
            health: { urlPattern: 'https://{{ application }}.test.acme' },
          },
          production: {
            cluster: 'b',
            health: {
              via: 'service-proxy',
              servicePort: 8080,
              timeoutMs: 3000,
            },
          },
        },
      },
    });
    expect(settings).toMatchObject({
      concurrency: 4,
      cacheSeconds: 0,
      unreachableRetrySeconds: 5,
      allowedTargets: ['169.254.10.1:8080'],
      ownEndpoints: [
        { host: '10.0.0.5', port: 7008 },
        { host: 'portal.acme.internal', port: 443 },
      ],
    });
    expect(settings.environments.get('test')).toEqual({
      timeoutMs: 1500,
      via: 'direct',
      servicePort: 'http',
      urlPattern: 'https://{{ application }}.test.acme',
    });
    expect(settings.environments.get('production')).toEqual({
      timeoutMs: 3000,
      via: 'service-proxy',
      servicePort: '8080',
      urlPattern: undefined,
    });
  });

  it.each([
    [
      { health: { timeoutMs: 10 } },
      'Invalid config at deployments.health.timeoutMs: 10 is out of range; use a number from 100 to 60000',
    ],
    [
      { health: { concurrency: 0 } },
      'Invalid config at deployments.health.concurrency: 0 is out of range',
    ],
    [
      { environments: { test: { cluster: 'a', health: { via: 'vpn' } } } },
      "Invalid config at deployments.environments.test.health.via: 'vpn' is not 'direct' or 'service-proxy'",
    ],
    [
      {
        environments: {
          test: {
            cluster: 'a',
            health: { via: 'service-proxy', urlPattern: 'http://x' },
          },
        },
      },
      'Invalid config at deployments.environments.test.health: urlPattern and via: service-proxy exclude each other',
    ],
    [
      {
        environments: {
          test: {
            cluster: 'a',
            health: { urlPattern: 'ftp://{{ application }}' },
          },
        },
      },
      "Invalid config at deployments.environments.test.health.urlPattern: 'ftp://{{ application }}' is not an http(s) URL pattern",
    ],
    [
      {
        environments: {
          test: { cluster: 'a', health: { servicePort: 'HTTP!' } },
        },
      },
      'Invalid config at deployments.environments.test.health.servicePort',
    ],
  ])('refuses %j', (deployments, message) => {
    expect(() => read({ deployments })).toThrow(message);
  });
});
