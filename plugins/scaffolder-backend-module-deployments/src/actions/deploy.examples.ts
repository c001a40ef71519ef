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
  {
    description:
      'Deploy to production: the environment requires approval, so the step ends with status pending-approval and a link to the request (the change is applied when someone other than the initiator approves it)',
    example: yaml.stringify({
      steps: [
        {
          id: 'deploy-production',
          action: 'deployments:deploy',
          name: 'Request the production deployment',
          input: {
            application: 'component:default/payments-api',
            environment: 'production',
            image: {
              repository: 'ghcr.io/acme/payments-api',
              tag: '1.4.2',
              digest: `sha256:${'e'.repeat(64)}`,
            },
            replicas: 2,
            resources: {
              requests: { cpu: '100m', memory: '128Mi' },
              limits: { cpu: '500m', memory: '256Mi' },
            },
            env: [{ name: 'ENVIRONMENT', value: 'production' }],
            changeReference: 'https://jira.acme.example/browse/OPS-123',
          },
        },
      ],
      output: {
        links: [
          {
            title: 'Approval request',
            url: '${{ steps["deploy-production"].output.approvalUrl }}',
          },
        ],
      },
    }),
  },
];
