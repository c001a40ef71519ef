import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'Check a deployment before applying it',
    example: yaml.stringify({
      steps: [
        {
          id: 'validate',
          action: 'deployments:validate',
          name: 'Check policies',
          input: {
            request: {
              application: 'component:default/payments-api',
              environment: 'development',
              image: { repository: 'ghcr.io/acme/payments-api', tag: '1.4.2' },
              replicas: 2,
              resources: {
                requests: { cpu: '100m', memory: '128Mi' },
                limits: { cpu: '500m', memory: '256Mi' },
              },
            },
          },
        },
      ],
    }),
  },
];
