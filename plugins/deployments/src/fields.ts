import { createFormField } from '@backstage/plugin-scaffolder-react/alpha';
import { EnvironmentPickerField } from './components/EnvironmentPickerField';
import {
  PolicyPreviewField,
  policyPreviewValidation,
} from './components/PolicyPreviewField';

/** `ui:field: EnvironmentPicker` */
export const EnvironmentPickerFormField = createFormField({
  name: 'EnvironmentPicker',
  component: EnvironmentPickerField,
});

/** `ui:field: DeploymentPolicyPreview` */
export const PolicyPreviewFormField = createFormField({
  name: 'DeploymentPolicyPreview',
  component: PolicyPreviewField,
  validation: policyPreviewValidation,
});
