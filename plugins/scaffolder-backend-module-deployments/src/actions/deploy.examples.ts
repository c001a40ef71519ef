import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'Deploy a tagged image to development',
    example: yaml.stringify({
      steps: [
        {
          id: 'deploy',
          action: 'deployments:deploy',
          name: 'Deploy',
          input: {
            application: 'component:default/payments-api',
            environment: 'development',
            image: { repository: 'ghcr.io/acme/payments-api', tag: '1.4.2' },
            replicas: 2,
            resources: {
              requests: { cpu: '100m', memory: '128Mi' },
              limits: { cpu: '500m', memory: '256Mi' },
            },
            env: [
              { name: 'ENVIRONMENT', value: 'development' },
              {
                name: 'SECRET_KEY',
                secretKeyRef: { name: 'payments-api', key: 'secret-key' },
              },
            ],
          },
        },
      ],
    }),
  },
];
