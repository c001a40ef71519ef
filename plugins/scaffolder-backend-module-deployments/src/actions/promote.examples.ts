import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'Promote what runs in development to test',
    example: yaml.stringify({
      steps: [
        {
          id: 'promote',
          action: 'deployments:promote',
          name: 'Promote',
          input: {
            application: 'component:default/payments-api',
            from: 'development',
            to: 'test',
          },
        },
      ],
    }),
  },
];
