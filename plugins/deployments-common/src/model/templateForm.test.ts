import { parseDeploymentRequest } from './request';
import { requestFromTemplateForm } from './templateForm';

describe('requestFromTemplateForm', () => {
  const environments = [
    {
      name: 'development' as const,
      cluster: 'local-nonprod',
      namespacePattern: 'apps-{{ environment }}-{{application}}',
      requiresApproval: false,
      production: false,
    },
  ];

  it('turns the template form into a valid request, secrets as references', () => {
    const request = requestFromTemplateForm(
      {
        application: 'component:default/payments-api',
        environment: 'development',
        repository: 'ghcr.io/acme/payments-api',
        tag: '1.4.2',
        digest: '',
        replicas: 2,
        size: 'M',
        env: [{ name: 'ENVIRONMENT', value: 'development' }],
        secrets: [
          { name: 'SECRET_KEY', secret: 'payments-api', key: 'secret-key' },
        ],
        autoscaling: false,
      },
      environments,
    );
    const parsed = parseDeploymentRequest({
      ...request,
      requester: 'user:default/ada',
    });
    expect(parsed.success).toBe(true);
    expect(request).toMatchObject({
      namespace: 'apps-development-payments-api',
      image: {
        repository: 'ghcr.io/acme/payments-api',
        tag: '1.4.2',
        digest: undefined,
      },
      resources: { requests: { cpu: '250m', memory: '256Mi' } },
      env: [
        { name: 'ENVIRONMENT', value: 'development' },
        {
          name: 'SECRET_KEY',
          secretKeyRef: { name: 'payments-api', key: 'secret-key' },
        },
      ],
    });
  });

  it('leaves the namespace out when the environment is not known yet', () => {
    const request = requestFromTemplateForm(
      { application: 'component:default/payments-api', environment: 'test' },
      environments,
    );
    expect(request.namespace).toBeUndefined();
  });
});
