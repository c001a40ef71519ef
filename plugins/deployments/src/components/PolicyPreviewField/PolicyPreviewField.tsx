import { Link } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import {
  requestFromTemplateForm,
  ValidationResult,
} from '@deployments-portal/backstage-plugin-deployments-common';
import Typography from '@material-ui/core/Typography';
import { Alert } from '@material-ui/lab';
import { useEffect, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { deploymentsApiRef } from '../../api';
import { usePortalLinks } from '../../hooks/usePortalLinks';
import { CostEstimate } from '../CostEstimate';
import { ReadinessWarnings } from './ReadinessWarnings';

/** The value the field keeps: whether error-level findings block the step. */
export type PolicyPreviewValue = { blocking: boolean };

/**
 * Scaffolder field: checks what the form describes against the policies as
 * the user types (debounced) and lists the findings with hints and links to
 * the policies reference. Error-level findings block the step.
 */
export function PolicyPreviewField(
  props: FieldExtensionComponentProps<
    PolicyPreviewValue,
    { debounceMs?: number }
  >,
) {
  const { onChange, formContext, uiSchema } = props;
  const deploymentsApi = useApi(deploymentsApiRef);
  const links = usePortalLinks();
  const debounceMs = uiSchema?.['ui:options']?.debounceMs ?? 500;
  const formData = (formContext?.formData ?? {}) as Record<string, unknown>;
  const key = JSON.stringify(formData);
  const [result, setResult] = useState<ValidationResult>();
  const [error, setError] = useState<Error>();
  // The namespace follows from the environment's pattern.
  const environments = useAsync(
    () => deploymentsApi.listEnvironments(),
    [deploymentsApi],
  );

  useEffect(() => {
    if (environments.loading) return undefined;
    let cancelled = false;
    const timer = setTimeout(() => {
      const request = requestFromTemplateForm(
        JSON.parse(key),
        environments.value,
      );
      deploymentsApi.validate(request).then(
        validation => {
          if (cancelled) return;
          setError(undefined);
          setResult(validation);
          onChange({ blocking: !validation.valid });
        },
        e => {
          if (cancelled) return;
          setError(e);
          onChange({ blocking: true });
        },
      );
    }, debounceMs);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
    // onChange changes identity on every render; the form data drives this.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [
    key,
    deploymentsApi,
    debounceMs,
    environments.loading,
    environments.value,
  ]);

  if (environments.error) {
    return (
      <Alert severity="error">
        Policy check failed: cannot read the environments (
        {environments.error.message})
      </Alert>
    );
  }
  if (error) {
    return <Alert severity="error">Policy check failed: {error.message}</Alert>;
  }
  if (!result) {
    return <Typography variant="body2">Checking the policies…</Typography>;
  }
  const findings = [
    ...result.errors.map(e => ({
      key: `field:${e.field}`,
      severity: 'error' as const,
      text: `${e.field}: ${e.message}`,
      hint: undefined,
      anchor: undefined,
    })),
    ...result.violations.map(v => ({
      key: `${v.policyId}:${v.path}`,
      severity: v.severity,
      text: `[${v.policyId}] ${v.path}: ${v.message}`,
      hint: v.hint,
      anchor: v.docsAnchor,
    })),
    ...(result.dryRun && !result.dryRun.ok
      ? [
          {
            key: 'dry-run',
            severity: 'error' as const,
            text: `Kubernetes dry run: ${result.dryRun.error}`,
            hint: undefined,
            anchor: undefined,
          },
        ]
      : []),
  ];
  // The monthly estimate at the environment's prices, next to the check.
  const cost = <CostEstimate estimate={result.cost} />;
  if (findings.length === 0) {
    return (
      <>
        {cost}
        <ReadinessWarnings application={formData.application} />
        <Alert severity="success">
          All policies pass; Kubernetes accepts the objects (dry run).
        </Alert>
      </>
    );
  }
  return (
    <>
      {cost}
      <ReadinessWarnings application={formData.application} />
      {findings.map(finding => (
        <Alert
          key={finding.key}
          severity={finding.severity}
          style={{ marginBottom: 8 }}
        >
          {finding.text}
          {finding.hint && <div>{finding.hint}</div>}
          {finding.anchor && (
            <Link to={links.docs(finding.anchor)}>Why, and how to fix it</Link>
          )}
        </Alert>
      ))}
    </>
  );
}

/** Blocks the step while error-level findings remain. */
export function policyPreviewValidation(
  value: PolicyPreviewValue | undefined,
  validation: { addError(message: string): void },
) {
  if (!value || value.blocking) {
    validation.addError(
      'Fix the policy errors shown above before you continue',
    );
  }
}
