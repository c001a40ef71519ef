import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'List the environments in their promotion order',
    example: yaml.stringify({
      steps: [
        {
          id: 'environments',
          action: 'deployments:environments',
          name: 'List environments',
        },
      ],
    }),
  },
  {
    description: 'Find the environment to promote an acceptance build to',
    example: yaml.stringify({
      steps: [
        {
          id: 'next',
          action: 'deployments:environments',
          name: 'Next environment',
          input: { from: 'acceptance' },
        },
      ],
    }),
  },
];
