import { screen, waitFor } from '@testing-library/react';
import {
  renderInTestApp,
  TestApiProvider,
} from '@backstage/frontend-test-utils';
import { ValidationResult } from '@deployments-portal/backstage-plugin-deployments-common';
import { DeploymentsApi, deploymentsApiRef } from '../../api';
import {
  PolicyPreviewField,
  policyPreviewValidation,
} from './PolicyPreviewField';

const form = {
  application: 'component:default/payments-api',
  environment: 'development',
  repository: 'ghcr.io/acme/payments-api',
  tag: '1.4.2',
  replicas: 2,
  size: 'S',
  env: [{ name: 'SECRET_KEY', value: 'hunter2' }],
};

async function renderField(result: ValidationResult) {
  const validate = jest.fn().mockResolvedValue(result);
  const onChange = jest.fn();
  const listEnvironments = jest.fn().mockResolvedValue([
    {
      name: 'development',
      cluster: 'local-nonprod',
      namespacePattern: '{{ application }}-{{ environment }}',
      requiresApproval: false,
    },
  ]);
  const api = { listEnvironments, validate } as Pick<
    DeploymentsApi,
    'listEnvironments' | 'validate'
  >;
  await renderInTestApp(
    <TestApiProvider apis={[[deploymentsApiRef, api]]}>
      <PolicyPreviewField
        {...({
          onChange,
          formContext: { formData: form },
          uiSchema: { 'ui:options': { debounceMs: 0 } },
          schema: {},
          idSchema: { $id: 'policy' },
        } as any)}
      />
    </TestApiProvider>,
  );
  return { validate, onChange };
}

describe('PolicyPreviewField', () => {
  it('checks the form against the policies and blocks on errors, with hint and docs link', async () => {
    const { validate, onChange } = await renderField({
      valid: false,
      errors: [],
      diff: [],
      violations: [
        {
          policyId: 'plaintext-secrets',
          severity: 'error',
          path: 'env[0].value',
          message: 'SECRET_KEY holds a secret as a plain value',
          hint: 'store it in a Kubernetes Secret and reference it',
          docsAnchor: 'policies/#plaintext-secrets',
        },
      ],
    });

    expect(
      await screen.findByText(
        '[plaintext-secrets] env[0].value: SECRET_KEY holds a secret as a plain value',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Why, and how to fix it').closest('a'),
    ).toHaveAttribute(
      'href',
      '/docs/default/component/deployments-portal/policies/#plaintext-secrets',
    );
    expect(validate).toHaveBeenCalledWith(
      expect.objectContaining({
        application: 'component:default/payments-api',
        // As the deploy action derives it from the environment's pattern.
        namespace: 'payments-api-development',
        env: [{ name: 'SECRET_KEY', value: 'hunter2' }],
        resources: {
          requests: { cpu: '100m', memory: '128Mi' },
          limits: { cpu: '500m', memory: '256Mi' },
        },
      }),
    );
    await waitFor(() =>
      expect(onChange).toHaveBeenLastCalledWith({ blocking: true }),
    );
  });

  it('lets a passing deployment through', async () => {
    const { onChange } = await renderField({
      valid: true,
      errors: [],
      diff: [],
      violations: [],
      dryRun: { ok: true },
    });
    expect(await screen.findByText(/All policies pass/)).toBeInTheDocument();
    await waitFor(() =>
      expect(onChange).toHaveBeenLastCalledWith({ blocking: false }),
    );
  });
});

describe('policyPreviewValidation', () => {
  it('adds an error while the preview blocks or has not run', () => {
    const addError = jest.fn();
    policyPreviewValidation({ blocking: true }, { addError });
    policyPreviewValidation(undefined, { addError });
    policyPreviewValidation({ blocking: false }, { addError });
    expect(addError).toHaveBeenCalledTimes(2);
  });
});
