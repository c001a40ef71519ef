import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import yaml from 'yaml';
import { DeploymentService } from '@deployments-portal/backstage-plugin-deployments-node';
import { createDeployAction } from './actions/deploy';
import { createEnvironmentsAction } from './actions/environments';
import { createPromoteAction } from './actions/promote';
import { createValidateAction } from './actions/validate';

// The templates in templates/ are built only from this module's actions, and
// pass each action only inputs it declares.
const root = resolve(
  dirname(
    require.resolve(
      '@deployments-portal/backstage-plugin-scaffolder-backend-module-deployments/package.json',
    ),
  ),
  '../..',
);
const deployments = {} as DeploymentService;
const actions = [
  createEnvironmentsAction({ deployments }),
  createValidateAction({ deployments }),
  createDeployAction({ deployments }),
  createPromoteAction({ deployments }),
];

function inputKeys(action: (typeof actions)[number]): string[] {
  const schema = action.schema?.input as
    | { properties?: Record<string, unknown> }
    | undefined;
  return Object.keys(schema?.properties ?? {});
}

describe.each(['deploy-application', 'promote-application'])(
  'template %s',
  name => {
    const template = yaml.parse(
      readFileSync(resolve(root, 'templates', name, 'template.yaml'), 'utf8'),
    );

    it('is a v1beta3 template owned by the platform team', () => {
      expect(template).toMatchObject({
        apiVersion: 'scaffolder.backstage.io/v1beta3',
        kind: 'Template',
        metadata: { name },
        spec: { owner: 'platform-team' },
      });
    });

    it('uses only deployments actions, with inputs they declare', () => {
      for (const step of template.spec.steps) {
        const action = actions.find(a => a.id === step.action);
        expect({ step: step.id, action: action?.id }).toEqual({
          step: step.id,
          action: step.action,
        });
        const unknown = Object.keys(step.input ?? {}).filter(
          key => !inputKeys(action!).includes(key),
        );
        expect({ step: step.id, unknown }).toEqual({
          step: step.id,
          unknown: [],
        });
      }
    });

    it('is registered in app-config.yaml', () => {
      expect(readFileSync(resolve(root, 'app-config.yaml'), 'utf8')).toContain(
        `../../templates/${name}/template.yaml`,
      );
    });
  },
);
