// The scaffolder fields in the legacy frontend system: what the scaffolder
// page finds among the <ScaffolderFieldExtensions> of App.tsx.
import { screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/test-utils';
import {
  FieldExtensionOptions,
  ScaffolderFieldExtensions,
  useCustomFieldExtensions,
} from '@backstage/plugin-scaffolder-react';
import {
  DeploymentPolicyPreviewFieldExtension,
  EnvironmentPickerFieldExtension,
} from './index';
import { EnvironmentPickerField } from './components/EnvironmentPickerField';
import { PolicyPreviewField } from './components/PolicyPreviewField';

let found: FieldExtensionOptions[] = [];

function ScaffolderPage(props: { children: React.ReactNode }) {
  found = useCustomFieldExtensions(props.children);
  return <div>{found.map(f => f.name).join(', ')}</div>;
}

describe('legacy frontend system: scaffolder fields', () => {
  it('offers EnvironmentPicker and DeploymentPolicyPreview to the scaffolder', async () => {
    await renderInTestApp(
      <ScaffolderPage>
        <ScaffolderFieldExtensions>
          <EnvironmentPickerFieldExtension />
          <DeploymentPolicyPreviewFieldExtension />
        </ScaffolderFieldExtensions>
      </ScaffolderPage>,
    );
    expect(
      screen.getByText('EnvironmentPicker, DeploymentPolicyPreview'),
    ).toBeInTheDocument();
    expect(found[0].component).toBe(EnvironmentPickerField);
    expect(found[1].component).toBe(PolicyPreviewField);

    // The policy preview blocks the step while a policy error stands.
    const errors: string[] = [];
    const validation = { addError: (m: string) => errors.push(m) };
    const validate = found[1].validation!;
    const context = {} as Parameters<typeof validate>[2];
    validate({ blocking: false } as any, validation as any, context);
    expect(errors).toEqual([]);
    validate({ blocking: true } as any, validation as any, context);
    expect(errors).toEqual([
      'Fix the policy errors shown above before you continue',
    ]);
  });
});
