import { ConfigReader } from '@backstage/config';

type ConfigData = ConstructorParameters<typeof ConfigReader>[0];
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'yaml';
import { readEnvironments } from './readEnvironments';
import { registryWarnings } from './registryWarnings';

function warningsFor(environments: object) {
  return registryWarnings(
    readEnvironments(
      new ConfigReader({ deployments: { environments } } as ConfigData),
    ),
  );
}

describe('registryWarnings', () => {
  it('warns about an environment that requires approval with an empty allow-list', () => {
    expect(
      warningsFor({
        development: { cluster: 'a' },
        production: { cluster: 'b' },
      }),
    ).toEqual([
      'deployments.environments.production.policies.image-source.allowedRegistries is empty: production requires approval but accepts images from any registry; set it to the registries you trust, e.g. [ghcr.io/your-org]',
    ]);
  });

  it('warns when the policy is switched off there', () => {
    expect(
      warningsFor({
        acceptance: {
          cluster: 'a',
          requiresApproval: true,
          policies: { 'image-source': { enabled: false } },
        },
      }),
    ).toEqual([
      expect.stringContaining(
        'deployments.environments.acceptance.policies.image-source.enabled is false',
      ),
    ]);
  });

  it('is quiet when every approval environment names its registries', () => {
    expect(
      warningsFor({
        development: { cluster: 'a' },
        production: {
          cluster: 'b',
          policies: { 'image-source': { allowedRegistries: ['ghcr.io/acme'] } },
        },
      }),
    ).toEqual([]);
  });

  it('holds for the example configuration', () => {
    const root = path.resolve(__dirname, '../../../..');
    const environmentsIn = (file: string) =>
      yaml.parse(fs.readFileSync(path.join(root, file), 'utf8')).deployments
        .environments;
    expect(warningsFor(environmentsIn('app-config.yaml'))).toEqual([]);
    // Production removes the local environments: each site configures its
    // own (with its registries), or the backend does not start.
    expect(environmentsIn('app-config.production.yaml')).toBeNull();
  });
});
